"""`scenario_test`: a scenario file as a Bazel test (see scenarios/README.md)."""

def scenario_test(name, src, seed = None, size = "small", tags = [], **kwargs):
    """Runs scenario file `src`, checks its expectations, runs it again and
    compares the trace hashes; outputs go to $TEST_UNDECLARED_OUTPUTS_DIR.

    Args:
      name: the test target.
      src: the scenario file (a label).
      seed: the seed; unset, the file's own.
      size: the test size.
      tags: test tags.
      **kwargs: passed on to sh_test-like rules (e.g. shard_count is not
        used; timeout, flaky).
    """
    args = ["$(rootpath %s)" % src]
    if seed != None:
        args.append("--seed=%d" % seed)
    native.cc_test(
        name = name,
        size = size,
        srcs = [],
        args = args,
        data = [src],
        tags = tags + ["scenario"],
        deps = ["//scenarios:scenario_test_main"],
        **kwargs
    )
