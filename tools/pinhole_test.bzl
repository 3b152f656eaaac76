"""`pinhole_sh_test`: a shell test of the `pinhole` program.

The script gets three arguments: the path of `//tools:pinhole`, the path of
`//tools:testing/stun_server_fixture.sh`, which it sources to start and stop
`pinhole stun-server` and `pinhole turn-server` by PID, and the path of
`//tools:testing/ice_peer_fixture.sh`, which runs two `pinhole ice-peer`.
"""

def pinhole_sh_test(name, src, size = "small", tags = []):
    """An sh_test of `src` with the pinhole binary and the fixtures.

    Args:
      name: the test's name.
      src: the test script.
      size: the test's size.
      tags: the test's tags.
    """
    native.sh_test(
        name = name,
        size = size,
        srcs = [src],
        args = [
            "$(location //tools:pinhole)",
            "$(location //tools:testing/stun_server_fixture.sh)",
            "$(location //tools:testing/ice_peer_fixture.sh)",
        ],
        data = [
            "//tools:pinhole",
            "//tools:testing/stun_server_fixture.sh",
            "//tools:testing/ice_peer_fixture.sh",
        ],
        tags = tags,
    )
