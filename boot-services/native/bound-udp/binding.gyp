{
  "targets": [
    {
      "target_name": "bound_udp",
      "sources": ["bound-udp.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
