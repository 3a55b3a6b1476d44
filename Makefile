# mod_access_svctoken — build, test, install, demo.
#
# The C core in src/ is compiled once into build/libsvct.a (position
# independent) and that same archive is linked into the Apache module, the
# svctoken CLI and every unit test, so what the tests exercise is what ships.

APXS       ?= $(shell command -v apxs 2>/dev/null || command -v apxs2 2>/dev/null || echo apxs)
PREFIX     ?= /usr/local
DESTDIR    ?=
PORT       ?= 8080
BUILD      ?= build
PROVE      ?= prove
# Extra flags for sanitizer or coverage builds (see `make check-asan`).
SAN_CFLAGS ?=
SAN_LDFLAGS ?=

CC         ?= cc
ifeq ($(origin CC),default)
CC := cc
endif

APR_CONFIG  := $(shell $(APXS) -q APR_CONFIG 2>/dev/null)
APU_CONFIG  := $(shell $(APXS) -q APU_CONFIG 2>/dev/null)
HTTPD_INC   := $(shell $(APXS) -q INCLUDEDIR 2>/dev/null)
HTTPD_BIN   := $(shell $(APXS) -q SBINDIR 2>/dev/null)/$(shell $(APXS) -q TARGET 2>/dev/null)
# (Empty before `make deps` has installed apxs: see the demo target.)
APR_CPPFLAGS := $(if $(APR_CONFIG),$(shell $(APR_CONFIG) --cppflags --includes 2>/dev/null) \
                $(shell $(APU_CONFIG) --includes 2>/dev/null))
APR_LIBS    := $(if $(APR_CONFIG),$(shell $(APU_CONFIG) --link-ld --libs 2>/dev/null) \
               $(shell $(APR_CONFIG) --link-ld --libs 2>/dev/null))
DEP_LIBS    := -lssl -lcrypto -ljansson

WARN        := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
               -Wno-unused-parameter
CFLAGS      ?= -O2 -g
ALL_CFLAGS  := $(CFLAGS) -std=gnu11 -fPIC -fvisibility=hidden $(WARN) -Isrc $(APR_CPPFLAGS) \
               $(SAN_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(SAN_LDFLAGS)

CORE_SRC    := $(filter-out src/cli_main.c,$(wildcard src/*.c))
CORE_OBJ    := $(CORE_SRC:src/%.c=$(BUILD)/src/%.o)
UNIT_SRC    := $(wildcard t/unit/test_*.c)
# test_secret once more, with src/secret.c built as against an OpenSSL
# without its deprecated API, so that the EVP path of the secret's hash runs.
UNIT_BIN    := $(UNIT_SRC:t/unit/%.c=$(BUILD)/unit/%) $(BUILD)/unit/test_secret_evp
# The Apache::Test scripts (t/cli/ and t/unit/ run under plain prove).
HTTPD_TESTS ?= $(wildcard t/*.t)
MODULE      := $(BUILD)/mod_access_svctoken.so
# What the tests run besides: the module with a clock they can move forward,
# and a tool that makes a token older (see below).
TEST_MODULE := $(BUILD)/test/mod_access_svctoken.so
BACKDATE    := $(BUILD)/test/store_backdate
export SVCT_BACKDATE = $(abspath $(BACKDATE))
CLI         := $(BUILD)/svctoken
LIBCORE     := $(BUILD)/libsvct.a
FAULT_SHIM  := $(BUILD)/fault_shim.so

DEB_PACKAGES := apache2 apache2-dev libaprutil1-dev libssl-dev libjansson-dev \
                libapache2-mod-perl2 libwww-perl curl python3 python3-jwt \
                python3-cryptography clang libclang-rt-14-dev valgrind wrk apache2-utils \
                libapache2-mod-auth-tkt postgresql libaprutil1-dbd-pgsql libaprutil1-dbd-sqlite3 \
                groff-base man-db debhelper dpkg-dev lintian fakeroot \
                git python3-requests faketime sqlite3

.PHONY: all deps test test-unit test-cli test-httpd test-pkg install clean demo demo-stop

all: $(MODULE) $(CLI)

$(BUILD)/src/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBCORE): $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/mod_access_svctoken.o: mod_access_svctoken.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fvisibility=default -I$(HTTPD_INC) -c $< -o $@

$(MODULE): $(BUILD)/mod_access_svctoken.o $(LIBCORE)
	$(CC) -shared -o $@ $(BUILD)/mod_access_svctoken.o $(LIBCORE) $(ALL_LDFLAGS) $(DEP_LIBS)

# The Apache::Test suite runs this build of the module: the same objects but
# src/clock.c built with SVCT_TEST_CLOCK, so that the tests move its clocks
# forward (t/lib/SvcToken/Test.pm, advance_clock) instead of waiting. It is
# never installed, and no other build reads $$SVCT_TEST_CLOCK.
$(BUILD)/test/clock.o: src/clock.c src/clock.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DSVCT_TEST_CLOCK -c $< -o $@

$(TEST_MODULE): $(BUILD)/mod_access_svctoken.o $(BUILD)/test/clock.o $(LIBCORE)
	$(CC) -shared -o $@ $^ $(ALL_LDFLAGS) $(DEP_LIBS)

# Moves a token's times back, as if it had been made that long ago.
$(BACKDATE): t/tools/store_backdate.c $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBCORE) $(ALL_LDFLAGS) $(APR_LIBS) $(DEP_LIBS)

$(CLI): $(BUILD)/src/cli_main.o $(LIBCORE)
	$(CC) -o $@ $< $(LIBCORE) $(ALL_LDFLAGS) $(APR_LIBS) $(DEP_LIBS)

$(BUILD)/unit/%: t/unit/%.c $(wildcard t/unit/*.h) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -It/unit -o $@ $< $(LIBCORE) $(ALL_LDFLAGS) $(APR_LIBS) $(DEP_LIBS)

$(BUILD)/unit/test_secret_evp: t/unit/test_secret.c t/unit/tap.h src/secret.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DOPENSSL_NO_DEPRECATED -It/unit -o $@ $< src/secret.c $(ALL_LDFLAGS) \
	    $(DEP_LIBS) -lpthread
	@nm $@ | grep -qw EVP_Digest || { echo "$@: the EVP path was not built"; rm -f $@; exit 1; }

# Preloaded by t/cli/crash_safety.t: kills svctoken, or fails its writes
# with ENOSPC, at a chosen file-changing call.
$(FAULT_SHIM): t/cli/fault_shim.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O1 -g $(WARN) -o $@ $< -ldl

# Installs the Debian packages that the build, the tests and the demo need,
# skipping those already installed.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing:$$missing"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all build, test and demo packages are installed"; fi

# The tests of the SQL store (t/sql/, and the PostgreSQL part of the store's
# unit tests) run against a private PostgreSQL that t/with-pg starts for the
# run and removes after it.
SQL_TESTS   := $(wildcard t/sql/*.t)
WITH_PG     := t/with-pg

# The whole suite: C unit tests and CLI tests under one prove run, then the
# Apache::Test suite against a real httpd with the freshly built module.
test: all $(UNIT_BIN) $(BACKDATE) $(FAULT_SHIM) $(TEST_MODULE)
	SVCTOKEN=$(abspath $(CLI)) SVCT_MODULE=$(abspath $(MODULE)) SVCT_FAULT_SHIM=$(abspath $(FAULT_SHIM)) \
	    SVCT_TEST_MODULE=$(abspath $(TEST_MODULE)) \
	    HTTPD=$(HTTPD_BIN) $(WITH_PG) $(PROVE) -f $(UNIT_BIN) t/cli/*.t $(SQL_TESTS)
	$(MAKE) --no-print-directory test-httpd
	$(MAKE) --no-print-directory test-pkg
	$(MAKE) --no-print-directory test-asan
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)

test-unit: $(UNIT_BIN)
	$(WITH_PG) $(PROVE) -f $(UNIT_BIN)

# t/cli/keygen.t and jwt_interop.t drive the key loader and JWT code through
# the test_jwt unit binary, revocation.t uses test_revoke as a tool.
test-cli: all $(BUILD)/unit/test_jwt $(BUILD)/unit/test_revoke $(BACKDATE) $(FAULT_SHIM) $(TEST_MODULE)
	SVCTOKEN=$(abspath $(CLI)) SVCT_MODULE=$(abspath $(MODULE)) SVCT_FAULT_SHIM=$(abspath $(FAULT_SHIM)) \
	    SVCT_TEST_MODULE=$(abspath $(TEST_MODULE)) \
	    $(PROVE) -f t/cli/*.t

# make install/uninstall into a DESTDIR, and the Debian package built,
# linted, and run from an extracted tree (t/pkg/).
test-pkg: all
	APXS=$(APXS) HTTPD=$(HTTPD_BIN) $(PROVE) t/pkg/*.t

# Starts a real httpd with the freshly built module, runs t/*.t, stops it.
# The harness must stay quiet: httpd's complaints on stderr fail the run.
# The tests use build/unit/test_name and test_revoke as tools.
test-httpd: all $(TEST_MODULE) $(BACKDATE) $(BUILD)/unit/test_name $(BUILD)/unit/test_revoke
	@SVCTOKEN=$(abspath $(CLI)) SVCT_MODULE=$(abspath $(TEST_MODULE)) \
	    perl t/TEST -apxs $(APXS) -httpd $(HTTPD_BIN) -port select $(HTTPD_TESTS) \
	    2>$(BUILD)/test-httpd.stderr; rc=$$?; cat $(BUILD)/test-httpd.stderr >&2; \
	if grep 'Could not open configuration file' $(BUILD)/test-httpd.stderr; then \
	  echo "test-httpd: httpd was asked about a configuration file that is not there"; exit 1; fi; \
	exit $$rc

# Where the system keeps its module snippets for a2enmod (Debian's layout);
# empty where there is none. The .conf of an earlier install is kept if it
# was edited, and so is it by uninstall.
MODS_AVAILABLE ?= $(patsubst %/,%,$(dir $(wildcard $(shell $(APXS) -q SYSCONFDIR 2>/dev/null)/mods-available/.)))
MANDIR     ?= $(PREFIX)/share/man
LIBEXECDIR  = $(shell $(APXS) -q LIBEXECDIR)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(CLI) $(DESTDIR)$(PREFIX)/bin/svctoken
	install -m 0644 $(MODULE) $(DESTDIR)$(LIBEXECDIR)/mod_access_svctoken.so
	install -m 0644 docs/svctoken.8 $(DESTDIR)$(MANDIR)/man8/svctoken.8
	@set -e; m="$(DESTDIR)$(MODS_AVAILABLE)"; if [ -n "$(MODS_AVAILABLE)" ]; then \
	  install -d "$$m"; \
	  sed 's|/usr/lib/apache2/modules/|$(LIBEXECDIR)/|' conf/access_svctoken.load > "$$m/access_svctoken.load"; \
	  chmod 0644 "$$m/access_svctoken.load"; \
	  if [ -f "$$m/access_svctoken.conf" ] && ! cmp -s conf/access_svctoken.conf "$$m/access_svctoken.conf"; \
	  then echo "kept $$m/access_svctoken.conf: it was edited"; \
	  else install -m 0644 conf/access_svctoken.conf "$$m/access_svctoken.conf"; fi; \
	  echo "installed $$m/access_svctoken.load and .conf: a2enmod access_svctoken"; fi

# Removes what install put down, and the links a2enmod made to it.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/svctoken $(DESTDIR)$(LIBEXECDIR)/mod_access_svctoken.so \
	    $(DESTDIR)$(MANDIR)/man8/svctoken.8
	@m="$(DESTDIR)$(MODS_AVAILABLE)"; if [ -n "$(MODS_AVAILABLE)" ]; then \
	  for f in access_svctoken.load access_svctoken.conf; do \
	    l="$${m%/mods-available}/mods-enabled/$$f"; \
	    if [ -L "$$l" ]; then rm -f "$$l"; echo "removed $$l (a2dismod)"; fi; done; \
	  rm -f "$$m/access_svctoken.load"; \
	  if [ -f "$$m/access_svctoken.conf" ] && ! cmp -s conf/access_svctoken.conf "$$m/access_svctoken.conf"; \
	  then echo "kept $$m/access_svctoken.conf: it was edited"; \
	  else rm -f "$$m/access_svctoken.conf"; fi; fi

# The Debian package libapache2-mod-access-svctoken_VERSION_ARCH.deb, built
# by dpkg-buildpackage (debian/) from a copy of the tree in $(BUILD)/deb/,
# so that the tree is left as it was. `make deb-lint` runs lintian on it.
VERSION  := $(shell sed -n 's/^\#define SVCT_VERSION "\(.*\)"$$/\1/p' src/version.h)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB      := $(BUILD)/libapache2-mod-access-svctoken_$(VERSION)_$(DEB_ARCH).deb
DEB_TREE := $(BUILD)/deb/mod-access-svctoken-$(VERSION)

.PHONY: deb deb-lint uninstall
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(DEB_TREE)
	tar -cf - --exclude=./.git --exclude=./$(BUILD) --exclude=./build --exclude=./.demo \
	    --exclude=./t/logs --exclude=./t/var . | tar -C $(DEB_TREE) -xf -
	cd $(DEB_TREE) && DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" \
	    dpkg-buildpackage -us -uc -b --no-sign >../build.log 2>&1 || \
	    { tail -40 ../build.log; exit 1; }
	mv $(BUILD)/deb/$(notdir $(DEB)) $(DEB)
	@echo "built $(DEB)"

deb-lint: deb
	lintian --fail-on error,warning $(DEB)

# A working protected site on 127.0.0.1:$(PORT), and a client getting in.
# The apxs-derived variables of this make were computed before `deps` could
# install apxs, so everything after `deps` runs in a new make that reads
# them afresh (.ci/first-run-demo proves it).
DEMO_DIR ?= $(CURDIR)/.demo
demo: deps
	@$(MAKE) --no-print-directory demo-start

.PHONY: demo-start
demo-start: all
	@$(MAKE) --no-print-directory demo-stop >/dev/null 2>&1 || true
	@set -e; d="$(DEMO_DIR)"; cli="$(abspath $(CLI))"; url="http://127.0.0.1:$(PORT)/app/"; \
	rm -rf "$$d"; mkdir -p "$$d/htdocs/app"; \
	echo "Hello from the protected app" > "$$d/htdocs/app/index.html"; \
	sed -e "s|@DEMO@|$$d|g" -e "s|@PORT@|$(PORT)|g" -e "s|@MODULE@|$(abspath $(MODULE))|g" \
	    conf/demo.conf.in > "$$d/httpd.conf"; \
	"$$cli" keygen --alg ES256 --out "$$d/signing.pem" >/dev/null; \
	"$$cli" -f "$$d/tokens.db" create demo-client --duration 30d --json > "$$d/token.json"; \
	chmod -R a+rX "$$d"; chmod 600 "$$d/signing.pem" "$$d/token.json"; \
	id=$$(perl -MJSON::PP -e 'local $$/; print decode_json(<STDIN>)->{client_id}' < "$$d/token.json"); \
	secret=$$(perl -MJSON::PP -e 'local $$/; print decode_json(<STDIN>)->{client_secret}' < "$$d/token.json"); \
	asroot=""; [ "$$(id -u)" = 0 ] && asroot="-DDEMO_AS_ROOT"; \
	$(HTTPD_BIN) -f "$$d/httpd.conf" $$asroot -k start; \
	for i in $$(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$(PORT)/" && break; sleep 0.1; done; \
	echo; echo "== httpd is serving $$url, protected by AuthType ServiceToken"; \
	echo "== token 'demo-client': $$id (secret kept in $$d/token.json)"; \
	echo; echo '$$ curl -i '"$$url"'   # no credentials'; \
	curl -s -i "$$url" | sed -n '1p;/^WWW-Authenticate/p'; \
	echo; echo '$$ curl -i -H "CF-Access-Client-Id: '"$$id"'" -H "CF-Access-Client-Secret: ..." -c cookies '"$$url"; \
	curl -s -i -c "$$d/cookies" -H "CF-Access-Client-Id: $$id" -H "CF-Access-Client-Secret: $$secret" "$$url" \
	    | sed -n '1p;/^Set-Cookie/{s/\(CF_Authorization=.\{40\}\)[^;]*/\1.../;p};$$p'; \
	echo; echo '$$ curl -i -b cookies '"$$url"'   # the session cookie alone'; \
	curl -s -i -b "$$d/cookies" "$$url" | sed -n '1p;$$p'; \
	echo; echo "== access log:"; cat "$$d/access.log"; \
	echo; echo "Manage tokens: $$cli -f $$d/tokens.db list"; \
	echo "Stop the demo:  make demo-stop"

demo-stop:
	@if [ -f "$(DEMO_DIR)/httpd.pid" ]; then \
	  $(HTTPD_BIN) -f "$(DEMO_DIR)/httpd.conf" -k stop; \
	  for i in $$(seq 50); do [ -f "$(DEMO_DIR)/httpd.pid" ] || break; sleep 0.1; done; \
	  echo "demo stopped"; \
	else echo "no demo running"; fi

clean:
	rm -rf $(BUILD) t/logs t/conf/httpd.conf t/conf/extra.conf t/conf/apache_test_config.pm

# ---- Fuzzing (libFuzzer, clang) -------------------------------------------
# `make fuzz FUZZ_SECONDS=N` replays the kept inputs of t/fuzz/regress/ and
# the seeds, then fuzzes each target for N seconds. The corpus it grows is
# kept in $(FUZZ_BUILD)/corpus/, crashes as $(FUZZ_BUILD)/crash-TARGET-*.
# `make fuzz-regress` only replays. See docs/SECURITY.md for long runs.
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build/fuzz
FUZZ_SECONDS ?= 60
# What `make test` gives each target (CI runs `make test`).
TEST_FUZZ_SECONDS ?= 10
FUZZ_TARGETS := jwt record duration cookie b64url key credhdr
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc -It/fuzz $(FUZZ_SAN)
FUZZ_CORE    := b64url cidr cookie credhdr decimal duration jwt jwk key keyfile keyring record scope secret signature
FUZZ_OBJ     := $(FUZZ_CORE:%=$(FUZZ_BUILD)/src/%.o)
FUZZ_BIN     := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-regress check-asan test-asan
.SECONDARY: $(FUZZ_OBJ)

$(FUZZ_BUILD)/src/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: t/fuzz/fuzz_%.c t/fuzz/fuzz_keys.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(DEP_LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz-regress: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  files=$$(ls t/fuzz/regress/$$t/* t/fuzz/corpus/$$t/* 2>/dev/null || true); \
	  [ -n "$$files" ] || continue; \
	  echo "fuzz_$$t: replaying $$(echo $$files | wc -w) kept inputs"; \
	  $(FUZZ_BUILD)/fuzz_$$t -runs=1 $$files >$(FUZZ_BUILD)/replay-$$t.log 2>&1 || \
	    { tail -40 $(FUZZ_BUILD)/replay-$$t.log; exit 1; }; \
	done

fuzz: fuzz-regress
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -max_len=4200 -artifact_prefix=$(FUZZ_BUILD)/crash-$$t- \
	    $(FUZZ_BUILD)/corpus/$$t t/fuzz/corpus/$$t >$(FUZZ_BUILD)/fuzz-$$t.log 2>&1 || \
	    { tail -60 $(FUZZ_BUILD)/fuzz-$$t.log; echo "fuzz_$$t FAILED: the input is in $(FUZZ_BUILD)/crash-$$t-*; keep it in t/fuzz/regress/$$t/"; exit 1; }; \
	  grep -h 'stat::number_of_executed_units' $(FUZZ_BUILD)/fuzz-$$t.log | sed "s/^/  fuzz_$$t /"; \
	done

# The benchmark (bench/bench.sh): one httpd per case on 127.0.0.1 driven by
# wrk, a table of req/s and ratios to no auth, and the targets. About 15
# minutes (plus ~1 min the first time, to make the 1M-token store), then the
# seen-p99 latency case (bench/seen_p99.sh). Not part of `make test`. Knobs:
# BENCH_SECONDS, BENCH_ROUNDS, BENCH_CASES, ...
GEN_STORE := $(BUILD)/gen_store

$(GEN_STORE): bench/gen_store.c $(LIBCORE)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBCORE) $(ALL_LDFLAGS) $(APR_LIBS) $(DEP_LIBS)

.PHONY: bench
bench: all $(GEN_STORE)
	HTTPD=$(HTTPD_BIN) SVCT_MODULE=$(abspath $(MODULE)) SVCTOKEN=$(abspath $(CLI)) \
	    GEN_STORE=$(abspath $(GEN_STORE)) bash bench/bench.sh

# Instructions per request under callgrind (bench/callgrind.sh): exact where
# time is not, for changes of a few per cent. A few minutes.
.PHONY: bench-callgrind
bench-callgrind: all
	HTTPD=$(HTTPD_BIN) SVCT_MODULE=$(abspath $(MODULE)) SVCTOKEN=$(abspath $(CLI)) \
	    bash bench/callgrind.sh

# ---- Sanitizers (ASan + UBSan) ---------------------------------------------
# test-asan: the C unit tests and the CLI tests again, against a second build
# of everything in $(ASAN_BUILD) with ASan and UBSan (leaks are errors too).
# check-asan: the Apache::Test suite against the ASan-built module, with the
# ASan runtime preloaded into httpd; any sanitizer report in the error log
# fails it. Both use $(CC) (gcc or clang).
ASAN_BUILD   ?= build/asan
ASAN_CFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_LDFLAGS := -fsanitize=address,undefined
ASAN_MAKE    := $(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SAN_CFLAGS="$(ASAN_CFLAGS)" \
                SAN_LDFLAGS="$(ASAN_LDFLAGS)"
ASAN_HTTPD   := $(abspath $(ASAN_BUILD))/httpd
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

# httpd with the ASan runtime loaded first (a plain httpd cannot dlopen an
# ASan-built module otherwise). httpd's own pools are not freed at exit by
# design, so leak checking is off in it.
$(ASAN_HTTPD):
	@mkdir -p $(dir $@)
	@printf '%s\n' '#!/bin/sh' \
	  'ASAN_OPTIONS="$${ASAN_OPTIONS:+$$ASAN_OPTIONS:}detect_leaks=0"; export ASAN_OPTIONS' \
	  'LD_PRELOAD="$(shell $(CC) -print-file-name=libasan.so)$${LD_PRELOAD:+ $$LD_PRELOAD}" exec $(HTTPD_BIN) "$$@"' > $@
	@chmod +x $@

# t/cli/concurrency.t (hundreds of CLI runs, each with a leak check at exit)
# is left out by default: it looks for races, which ASan does not; add it
# with ASAN_CLI_TESTS='t/cli/*.t'.
ASAN_CLI_TESTS ?= $(filter-out t/cli/concurrency.t,$(wildcard t/cli/*.t)) t/sql/cli.t

test-asan: $(ASAN_HTTPD) $(BACKDATE)
	$(ASAN_MAKE) all $(UNIT_BIN:$(BUILD)/%=$(ASAN_BUILD)/%)
	HTTPD=$(ASAN_HTTPD) SVCTOKEN=$(abspath $(ASAN_BUILD))/svctoken \
	    SVCT_MODULE=$(abspath $(ASAN_BUILD))/mod_access_svctoken.so \
	    $(WITH_PG) $(PROVE) -f $(UNIT_BIN:$(BUILD)/%=$(ASAN_BUILD)/%) $(ASAN_CLI_TESTS)

check-asan: $(ASAN_HTTPD) $(BACKDATE)
	$(ASAN_MAKE) all $(ASAN_BUILD)/test/mod_access_svctoken.so $(ASAN_BUILD)/unit/test_name \
	    $(ASAN_BUILD)/unit/test_revoke
	@before=$$(stat -c %s t/logs/error_log 2>/dev/null || echo 0); \
	SVCTOKEN=$(abspath $(ASAN_BUILD))/svctoken \
	    SVCT_MODULE=$(abspath $(ASAN_BUILD))/test/mod_access_svctoken.so \
	    perl t/TEST -apxs $(APXS) -httpd $(ASAN_HTTPD) -port select $(HTTPD_TESTS); rc=$$?; \
	if tail -c +$$((before + 1)) t/logs/error_log | \
	    grep -E -B2 -A30 'AddressSanitizer|LeakSanitizer|runtime error:'; then \
	  echo "check-asan: sanitizer reports in t/logs/error_log"; exit 1; fi; \
	exit $$rc
