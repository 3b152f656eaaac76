"""`pinhole_fuzz_target`: one fuzz target, three ways to run it.

A fuzz target is a source file defining `LLVMFuzzerTestOneInput`. For a target called NAME
this macro declares:

- `NAME_lib`: the target's code;
- `NAME`: the fuzzer. Under `--config=fuzz` it links libFuzzer
  (`./bazelw run --config=fuzz //net:NAME -- -runs=100000 $PWD/net/fuzz_corpus/NAME`);
  in any other build it replays the input files named on its command line;
- `NAME_corpus_test`: a gtest that feeds every file of the seed corpus through the target, so the
  corpus runs on every `bazel test //...`.
"""

def pinhole_fuzz_target(name, srcs, corpus, deps = []):
    """Declares NAME_lib, NAME and NAME_corpus_test.

    Args:
      name: the fuzzer's name.
      srcs: sources defining LLVMFuzzerTestOneInput.
      corpus: the seed corpus files (a glob).
      deps: what the sources need.
    """
    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = srcs,
        deps = deps,
        alwayslink = True,
    )
    native.cc_binary(
        name = name,
        testonly = True,
        linkopts = select({
            "//build_defs:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        deps = [":" + name + "_lib"] + select({
            "//build_defs:fuzzing": [],
            "//conditions:default": ["//build_defs:fuzz_replay_main"],
        }),
    )
    native.filegroup(
        name = name + "_corpus",
        testonly = True,
        srcs = corpus,
    )
    native.cc_test(
        name = name + "_corpus_test",
        size = "small",
        args = ["$(rootpaths :%s_corpus)" % name],
        data = [":" + name + "_corpus"],
        deps = [
            ":" + name + "_lib",
            "//build_defs:fuzz_corpus_test_main",
        ],
    )
