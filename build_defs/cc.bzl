"""`pinhole_header_only_library`: a cc_library of headers that are known to compile.

Bazel 4.2.3's autoconfigured toolchain has no `parse_headers`, so a header that nothing includes
yet (an interface awaiting its implementations) would never be compiled. This macro compiles
each header alone in a generated source file, which also proves it self-contained.
"""

def pinhole_header_only_library(name, hdrs, deps = [], **kwargs):
    """A cc_library of `hdrs`, each compiled on its own.

    Args:
      name: the library's name.
      hdrs: its headers, in this package.
      deps: what the headers include.
      **kwargs: passed to cc_library.
    """
    srcs = []
    for hdr in hdrs:
        src = "_%s__%s_compiles.cc" % (name, hdr.replace("/", "_").replace(".", "_"))
        native.genrule(
            name = src.replace(".", "_"),
            outs = [src],
            cmd = "echo '#include \"%s/%s\"' > $@" % (native.package_name(), hdr),
            visibility = ["//visibility:private"],
        )
        srcs.append(src)
    native.cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        deps = deps,
        **kwargs
    )
