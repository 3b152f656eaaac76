"""`pinhole_determinism_test`: the determinism rule of DESIGN.md, as a test.

Every package under sim/, stun/, turn/ and ice/ declares one:

    pinhole_determinism_test(srcs = glob(["*.h", "*.cc"]))

It fails, naming file and line, when a source uses a wall or monotonic clock, an unseeded random
generator, or a thread.
"""

def pinhole_determinism_test(srcs, name = "determinism_test"):
    native.sh_test(
        name = name,
        size = "small",
        srcs = ["//build_defs:determinism_lint.sh"],
        args = ["$(rootpaths %s)" % s for s in srcs],
        data = srcs,
    )
