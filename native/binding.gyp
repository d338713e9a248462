{
  "targets": [
    {
      "target_name": "mmckd_blas",
      "sources": ["src/mmckd_blas.c", "src/mmckd_encoder.c", "src/mmckd_encoder_napi.c", "src/mmckd_heads.c", "src/mmckd_heads_napi.c", "src/mmckd_products.c"],
      "cflags": ["-O3", "-std=c11", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"],
      "cflags!": ["-O2"],
      "conditions": [
        ["OS=='mac'", {
          "comment": "UNVERIFIED (no macOS machine here): Apple's Accelerate provides cblas_sgemm; mmckd_openblas_compat.h stands in for the three openblas_* calls",
          "defines": ["MMCKD_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "libraries": ["-framework Accelerate"],
          "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=c11", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"] }
        }, {
          "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/aarch64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
          "libraries": ["-lopenblas", "-lm"]
        }]
      ]
    }
  ]
}
