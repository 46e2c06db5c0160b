# swdock — build, test, install.
#   make demo     install what is missing, build (release), install, start swdockd, run a container
#   make test     install what is missing, build, run every unit and integration test
#   make install  PREFIX=/usr/local DESTDIR=   make uninstall removes exactly what install put there
#   make install-files BUILD_DIR=.build/debug  the same without building (used by the tests)

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

PREFIX ?= /usr/local
DESTDIR ?=
BUILD_DIR ?= .build/release
BINARIES := swdock swdockd swdock-shim swdock-runtime
# Where install puts things; each path without DESTDIR, which is prefixed when installing.
# systemd and systemd-sysusers search $(PREFIX)/lib/… for PREFIX=/usr/local and /usr alike.
BINDIR := $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DATADIR := $(PREFIX)/share/swdock
DOCDIR := $(PREFIX)/share/doc/swdock
CONFDIR := /etc/swdock
UNITS := swdock.service swdock.socket
# Every file install writes; uninstall removes exactly these, then the directories only swdock owns.
INSTALLED_FILES := $(addprefix $(BINDIR)/,$(BINARIES)) $(addprefix $(UNITDIR)/,$(UNITS)) \
	$(SYSUSERSDIR)/swdock.conf $(DATADIR)/seccomp/default.json $(DOCDIR)/README.md $(CONFDIR)/daemon.json.example
OWNED_DIRS := $(DATADIR)/seccomp $(DATADIR) $(DOCDIR) $(CONFDIR)
SWIFT ?= swift

# Debian packages the build, the tests and the peers the tests compare against need.
BUILD_PACKAGES := pkg-config libarchive-dev libcurl4-openssl-dev libseccomp-dev libcap-dev libsqlite3-dev libnftables-dev
TEST_PACKAGES := busybox-static docker-registry skopeo apache2-utils zstd attr python3-cryptography \
	iproute2 nftables iptables tmux runc crun umoci openssl procps psmisc curl libarchive-tools python3 \
	docker.io containerd podman conmon time util-linux tar systemd
PACKAGES := $(BUILD_PACKAGES) $(TEST_PACKAGES)

.PHONY: all build release deps test demo install install-files uninstall clean

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

## install: build (release) and install-files.
install: release
	$(MAKE) install-files BUILD_DIR=.build/release

## install-files: install the binaries from $(BUILD_DIR) and the contrib files, nothing built.
# The units name /usr/local; installed under another PREFIX they name that one.
install-files:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DATADIR)/seccomp \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(CONFDIR)
	for b in $(BINARIES); do install -m 0755 $(BUILD_DIR)/$$b $(DESTDIR)$(BINDIR)/$$b; done
	for u in $(UNITS); do \
		sed 's#/usr/local/#$(PREFIX)/#g' contrib/systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u.tmp && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.tmp && mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u; done
	install -m 0644 contrib/systemd/swdock.conf $(DESTDIR)$(SYSUSERSDIR)/swdock.conf
	install -m 0644 contrib/seccomp/default.json $(DESTDIR)$(DATADIR)/seccomp/default.json
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 0644 contrib/daemon.json.example $(DESTDIR)$(CONFDIR)/daemon.json.example

## uninstall: remove exactly the files install-files writes, then the directories only swdock owns if empty.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	for d in $(OWNED_DIRS); do if [ -d $(DESTDIR)$$d ]; then rmdir --ignore-fail-on-non-empty $(DESTDIR)$$d; fi; done

clean:
	rm -rf .build
