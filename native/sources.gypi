{
  "variables": {
    "ek_core_sources": [
      "native/core/data/bin_mapper.cc",
      "native/core/data/binned_dataset.cc",
      "native/core/linalg/blas1.cc",
      "native/core/linalg/gemm.cc",
      "native/core/parallel/parallel_for.cc",
      "native/core/parallel/thread_budget.cc",
      "native/core/simd/binning_scalar.cc",
      "native/core/simd/blas1_scalar.cc",
      "native/core/simd/cpu.cc",
      "native/core/simd/gemm_scalar.cc"
    ],
    "ek_avx2_sources": [
      "native/core/simd/binning_avx2.cc",
      "native/core/simd/blas1_avx2.cc",
      "native/core/simd/gemm_avx2.cc"
    ],
    "ek_avx512_sources": [
      "native/core/simd/blas1_avx512.cc",
      "native/core/simd/gemm_avx512.cc"
    ],
    "ek_addon_sources": [
      "native/addon/args.cc",
      "native/addon/async_job.cc",
      "native/addon/build_info.cc",
      "native/addon/dataset.cc",
      "native/addon/errors.cc",
      "native/addon/glibc_compat.cc",
      "native/addon/linalg.cc",
      "native/addon/module.cc"
    ]
  }
}
