{
  "variables": {
    "ek_core_sources": [
      "native/core/boost/gbdt.cc",
      "native/core/boost/metric.cc",
      "native/core/boost/objective.cc",
      "native/core/data/bin_mapper.cc",
      "native/core/data/binned_dataset.cc",
      "native/core/linalg/blas1.cc",
      "native/core/linalg/cholesky.cc",
      "native/core/linalg/gemm.cc",
      "native/core/linalg/lbfgs.cc",
      "native/core/linear/decision.cc",
      "native/core/linear/logistic.cc",
      "native/core/linear/ridge.cc",
      "native/core/parallel/parallel_for.cc",
      "native/core/parallel/thread_budget.cc",
      "native/core/predict/compiled_forest.cc",
      "native/core/simd/binning_scalar.cc",
      "native/core/simd/blas1_scalar.cc",
      "native/core/simd/cpu.cc",
      "native/core/simd/gemm_scalar.cc",
      "native/core/simd/vmath.cc",
      "native/core/tree/histogram.cc",
      "native/core/tree/row_partition.cc",
      "native/core/tree/split.cc",
      "native/core/tree/tree.cc",
      "native/core/tree/tree_learner.cc"
    ],
    "ek_avx2_sources": [
      "native/core/simd/binning_avx2.cc",
      "native/core/simd/blas1_avx2.cc",
      "native/core/simd/gemm_avx2.cc",
      "native/core/simd/vmath_avx2.cc"
    ],
    "ek_avx512_sources": [
      "native/core/simd/blas1_avx512.cc",
      "native/core/simd/gemm_avx512.cc",
      "native/core/simd/vmath_avx512.cc"
    ],
    "ek_addon_sources": [
      "native/addon/args.cc",
      "native/addon/async_job.cc",
      "native/addon/build_info.cc",
      "native/addon/dataset.cc",
      "native/addon/errors.cc",
      "native/addon/glibc_compat.cc",
      "native/addon/linalg.cc",
      "native/addon/linear.cc",
      "native/addon/module.cc"
    ]
  }
}
