{
  "targets": [
    {
      "target_name": "mmckd_blas",
      "sources": ["src/mmckd_blas.c", "src/mmckd_encoder.c", "src/mmckd_encoder_napi.c", "src/mmckd_heads.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas", "-lm"],
      "cflags": ["-O3", "-std=c11", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"],
      "cflags!": ["-O2"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3"] }
    }
  ]
}
