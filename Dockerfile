# perfgate as a container image: the static release binary on Debian 12 slim, as a non-root user.
#
#   docker build -t perfgate .
#   docker run --rm -v "$PWD:/work" perfgate check --budget budgets.json results/
#
# The working directory /work is where you mount your repository: perfgate reads git there for the
# commit and the merge-base, and keeps its store in .perfgate/ (mount it writable).
# Builder and runtime are the same Debian release, so the binary finds the glibc it was built
# against; --static-swift-stdlib links the Swift runtime and Foundation into it, and only libsqlite3,
# zlib and libstdc++ come from the runtime image.

FROM swift:6.3-bookworm AS build
# hadolint ignore=DL3008 # Debian's stable packages: the release's security updates are wanted
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --static-swift-stdlib --product perfgate \
    && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/perfgate" /out/perfgate \
    && strip /out/perfgate \
    && /out/perfgate --version

FROM debian:bookworm-slim
# git: perfgate resolves the commit and the merge-base with it. ca-certificates: git over https.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsqlite3-0 zlib1g libstdc++6 git ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*' \
    && groupadd --gid 10001 perfgate \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin perfgate
COPY --from=build /out/perfgate /usr/local/bin/perfgate
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["perfgate"]
CMD ["--help"]
