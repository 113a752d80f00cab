{
  "includes": ["native/sources.gypi"],
  "variables": {
    "ek_openmp%": "<!(node -p \"process.env.ENSEMBLEKIT_OPENMP === '0' ? 0 : 1\")"
  },
  "target_defaults": {
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-fPIC", "-fvisibility=hidden", "-O3"],
    "defines": ["NDEBUG"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "11.0"
    },
    "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] } },
    "conditions": [
      ["target_arch == 'x64' or target_arch == 'ia32'", { "defines": ["ENSEMBLEKIT_X86=1", "ENSEMBLEKIT_HAVE_AVX512=1"] }],
      ["ek_openmp == 1 and OS == 'linux'", { "cflags_cc": ["-fopenmp"], "ldflags": ["-fopenmp"] }]
    ]
  },
  "targets": [
    {
      "target_name": "ensemblekit_avx2",
      "type": "static_library",
      "sources": ["<@(ek_avx2_sources)"],
      "cflags_cc": ["-mavx2", "-mfma"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX2"] } }
    },
    {
      "target_name": "ensemblekit_avx512",
      "type": "static_library",
      "sources": ["<@(ek_avx512_sources)"],
      "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma"] },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512"] } }
    },
    {
      "target_name": "ensemblekit",
      "sources": ["<@(ek_core_sources)", "<@(ek_addon_sources)"],
      "include_dirs": ["native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "conditions": [
        ["OS == 'linux'", {
          "ldflags": ["-Wl,--wrap=exp,--wrap=log,--wrap=pow,--wrap=exp2,--wrap=log2,--wrap=_ZSt28__throw_bad_array_new_lengthv,--wrap=_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE"]
        }]
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except",
        "ensemblekit_avx2",
        "ensemblekit_avx512"
      ]
    }
  ]
}
