{
  "targets": [
    {
      "target_name": "mmckd_blas",
      "sources": ["src/mmckd_blas.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O3", "-std=c11"],
      "cflags!": ["-O2"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3"] }
    }
  ]
}
