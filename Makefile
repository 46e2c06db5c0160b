# swdock — build, test, install.
#   make demo     install what is missing, build (release), install, start swdockd, run a container
#   make test     install what is missing, build, run every unit and integration test
#   make install  PREFIX=/usr/local DESTDIR=   make uninstall removes exactly what install put there

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(DESTDIR)$(PREFIX)/bin
BINARIES := swdock swdockd swdock-shim swdock-runtime
SWIFT ?= swift

# Debian packages the build, the tests and the peers the tests compare against need.
BUILD_PACKAGES := pkg-config libarchive-dev libcurl4-openssl-dev libseccomp-dev libcap-dev libsqlite3-dev
TEST_PACKAGES := busybox-static docker-registry skopeo apache2-utils zstd attr python3-cryptography \
	iproute2 nftables iptables tmux runc crun umoci openssl procps psmisc curl libarchive-tools python3 \
	docker.io containerd podman conmon time util-linux tar systemd
PACKAGES := $(BUILD_PACKAGES) $(TEST_PACKAGES)

.PHONY: all build release deps test demo install uninstall clean

all: build

## deps: apt-get install whatever of $(PACKAGES) is missing (needs root).
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else echo "all packages present"; fi
	@python3 -c 'import docker' 2>/dev/null || pip install -q docker==7.1.0

build:
	$(SWIFT) build --build-tests

release:
	$(SWIFT) build -c release

## test: the whole suite, unit and integration, with the services it needs started and stopped around it.
test: deps build
	SWDOCK_TEST_STRICT=1 SWDOCK_RUNTIME_UNDER_TEST=built Tests/Harness/with-test-services.sh $(SWIFT) test --skip-build

## demo: install and show a container proving its isolation (see contrib/demo.sh).
demo: deps release install
	contrib/demo.sh

install: release
	install -d $(BINDIR)
	for b in $(BINARIES); do install -m 0755 .build/release/$$b $(BINDIR)/$$b; done

uninstall:
	for b in $(BINARIES); do rm -f $(BINDIR)/$$b; done

clean:
	rm -rf .build
