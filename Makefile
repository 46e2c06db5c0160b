# swdock — build, test, install.
#   make demo     install what is missing, build (release), install, start swdockd, run a container
#   make test     install what is missing, build, run every unit and integration test
#   make install  PREFIX=/usr/local DESTDIR=   make uninstall removes exactly what install put there
#   make install-files BUILD_DIR=.build/debug  the same without building swdock (used by the tests)
#   make completions  regenerate the committed completions/ from the built swdock
#   make man      man pages from the built commands into $(BUILD_DIR)/man

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

PREFIX ?= /usr/local
DESTDIR ?=
BUILD_DIR ?= .build/release
BINARIES := swdock swdockd swdock-shim swdock-runtime swdock-init
# Where install puts things; each path without DESTDIR, which is prefixed when installing.
# systemd and systemd-sysusers search $(PREFIX)/lib/… for PREFIX=/usr/local and /usr alike.
BINDIR := $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DATADIR := $(PREFIX)/share/swdock
DOCDIR := $(PREFIX)/share/doc/swdock
MANDIR ?= $(PREFIX)/share/man
CONFDIR := /etc/swdock
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
UNITS := swdock.service swdock.socket
# completions/<file> (generated from swdock's ArgumentParser definitions) → where each shell looks.
COMPLETION_FILES := $(BASHCOMPDIR)/swdock $(ZSHCOMPDIR)/_swdock $(FISHCOMPDIR)/swdock.fish
# Man pages: swdock.1, swdock.<command>.1 (one per subcommand, so the set follows the commands)
# and swdockd.1; uninstall removes those names.
MAN_PAGES := $(MANDIR)/man1/swdock.1 $(MANDIR)/man1/swdock.*.1 $(MANDIR)/man1/swdockd.1
# Every file install writes; uninstall removes exactly these, then the directories only swdock owns.
INSTALLED_FILES := $(addprefix $(BINDIR)/,$(BINARIES)) $(addprefix $(UNITDIR)/,$(UNITS)) \
	$(SYSUSERSDIR)/swdock.conf $(DATADIR)/seccomp/default.json $(DOCDIR)/README.md $(CONFDIR)/daemon.json.example \
	$(COMPLETION_FILES) $(MAN_PAGES)
OWNED_DIRS := $(DATADIR)/seccomp $(DATADIR) $(DOCDIR) $(CONFDIR)
SWIFT ?= swift

# Debian packages the build, the tests and the peers the tests compare against need.
BUILD_PACKAGES := pkg-config libarchive-dev libcurl4-openssl-dev libseccomp-dev libcap-dev libsqlite3-dev libnftables-dev
TEST_PACKAGES := busybox-static docker-registry skopeo apache2-utils zstd attr python3-cryptography \
	iproute2 nftables iptables tmux runc crun umoci openssl procps psmisc curl libarchive-tools python3 \
	docker.io containerd podman conmon time util-linux tar systemd zsh fish
PACKAGES := $(BUILD_PACKAGES) $(TEST_PACKAGES)

.PHONY: all build release deps test demo install install-files uninstall completions man clean

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
## The Swift driver leaves /tmp/TemporaryDirectory.* behind (build and test alike): the ones
## that appeared while this ran are removed at the end, whatever the outcome.
test: deps
	started=$$(mktemp /tmp/swdock-make-test.XXXXXX); status=0; \
	$(SWIFT) build --build-tests && \
	SWDOCK_TEST_STRICT=1 SWDOCK_RUNTIME_UNDER_TEST=built Tests/Harness/with-test-services.sh $(SWIFT) test --skip-build \
		|| status=$$?; \
	Tests/Harness/remove-swiftpm-temp-dirs.sh "$$started"; \
	rm -f "$$started"; exit $$status

## demo: install and show a container proving its isolation (see contrib/demo.sh).
demo: deps release install
	contrib/demo.sh

## install: build (release) and install-files.
install: release
	$(MAKE) install-files BUILD_DIR=.build/release

## install-files: install the binaries from $(BUILD_DIR), their man pages and the contrib files;
# only the man page generator is built (once). The units name /usr/local; installed under another
# PREFIX they name that one.
install-files: man
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
	install -D -m 0644 completions/swdock.bash $(DESTDIR)$(BASHCOMPDIR)/swdock
	install -D -m 0644 completions/_swdock $(DESTDIR)$(ZSHCOMPDIR)/_swdock
	install -D -m 0644 completions/swdock.fish $(DESTDIR)$(FISHCOMPDIR)/swdock.fish
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(MAN_BUILD_DIR)/*.1 $(DESTDIR)$(MANDIR)/man1/

## uninstall: remove exactly the files install-files writes, then the directories only swdock owns if empty.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	for d in $(OWNED_DIRS); do if [ -d $(DESTDIR)$$d ]; then rmdir --ignore-fail-on-non-empty $(DESTDIR)$$d; fi; done

## completions: regenerate completions/ from swdock's ArgumentParser definitions (commit the result;
# a test fails while they differ from what the built swdock generates).
COMPLETION_SWDOCK ?= .build/debug/swdock
completions:
	$(SWIFT) build --product swdock
	$(COMPLETION_SWDOCK) --generate-completion-script bash > completions/swdock.bash
	$(COMPLETION_SWDOCK) --generate-completion-script zsh > completions/_swdock
	$(COMPLETION_SWDOCK) --generate-completion-script fish > completions/swdock.fish

## man: man pages (mdoc) generated from the commands' ArgumentParser definitions of the swdock and
# swdockd in $(BUILD_DIR), into $(MAN_BUILD_DIR). The generator is swift-argument-parser's
# generate-manual tool, built offline from the resolved checkout in its own scratch directory:
# the package's generate-manual plugin runs it on every executable and stops at swdock-runtime,
# whose runc-style command line has no --experimental-dump-help.
MAN_BUILD_DIR ?= $(BUILD_DIR)/man
ARGUMENT_PARSER ?= .build/checkouts/swift-argument-parser
GENERATE_MANUAL_BUILD ?= .build/generate-manual
MAN_DATE ?= $(shell git log -1 --format=%cs 2>/dev/null || date +%F)
man:
	@test -x $(BUILD_DIR)/swdock -a -x $(BUILD_DIR)/swdockd || { echo "no swdock/swdockd in $(BUILD_DIR): make release (or BUILD_DIR=.build/debug)"; exit 1; }
	@test -f $(ARGUMENT_PARSER)/Package.swift || { echo "no swift-argument-parser checkout at $(ARGUMENT_PARSER): run swift package resolve"; exit 1; }
	$(SWIFT) build --package-path $(ARGUMENT_PARSER) --scratch-path $(GENERATE_MANUAL_BUILD) --product generate-manual
	rm -rf $(MAN_BUILD_DIR) && mkdir -p $(MAN_BUILD_DIR)
	$(GENERATE_MANUAL_BUILD)/debug/generate-manual $(BUILD_DIR)/swdock --multi-page --date $(MAN_DATE) -o $(MAN_BUILD_DIR)
	$(GENERATE_MANUAL_BUILD)/debug/generate-manual $(BUILD_DIR)/swdockd --date $(MAN_DATE) -o $(MAN_BUILD_DIR)

clean:
	rm -rf .build
