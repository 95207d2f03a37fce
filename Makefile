# vdelab - network-emulation testbed toolkit.
#   make            build everything into build/
#   make check      install missing packages, build, run unit + integration tests
#   make demo       install missing packages, build, run the example lab
#   make asan       build with AddressSanitizer+UBSan into build-asan/ and run the tests
#   make fuzz       build the libFuzzer targets (clang) into build-fuzz/
#   make fuzz-smoke run each fuzz target 60 s (FUZZ_SECONDS), print exec counts
#   make bench      run the benchmarks (results in BENCHMARKS.md)
#   make guest-image  the default VM guest (Debian cloud kernel + busybox) in build/guest
#   make man        the man pages (scdoc) into build/man
#   make install    PREFIX (/usr/local) and DESTDIR: programs, man pages, bash
#                   completion, the Wireshark extcap link, share/vdelab data
#   make uninstall  removes exactly what make install put there
#   make deb        the Debian package (dpkg-buildpackage) into build/deb
#   make installcheck  the integration tests against the programs in $(BINDIR)

CC      ?= cc
B       ?= build
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/vdelab
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Wireshark looks for extcap programs only in its own folder, whatever PREFIX is
EXTCAPDIR ?= /usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/wireshark/extcap
PKGS    := glib-2.0 libxml-2.0 libsodium libpcap slirp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation
OPT     ?= -O2 -g
CFLAGS  += -std=gnu11 $(OPT) $(WARN) -MMD -MP -D_GNU_SOURCE
SAN     ?=
CFLAGS  += $(SAN)
LDFLAGS += $(SAN)

CORE_SRC := $(wildcard vde/core/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(B)/obj/%.o)
CORE_LIB := $(B)/libvdecore.a

SWITCH_SRC := $(wildcard vde/switch/*.c)
PLUG_SRC   := $(wildcard vde/plug/*.c)
WF_SRC     := $(wildcard wirefilter/*.c)
LABCTL_SRC := $(wildcard labctl/*.c)
LABCTL_OBJ := $(LABCTL_SRC:%.c=$(B)/obj/%.o) $(B)/obj/labctl/lab_rng.o
BINS := $(B)/vdelab-switch $(B)/vdelab-plug $(B)/vdelab-wirefilter $(B)/labctl

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOLS := $(B)/tests/vdeprobe $(B)/tests/udpmitm
BENCH_BINS := $(B)/bench/vdegen $(B)/bench/swcore $(B)/bench/swcore-nocap $(B)/bench/vdelab-switch-nocap

all: $(BINS) $(UNIT_BINS) $(TOOLS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/vdelab-switch: $(SWITCH_SRC:%.c=$(B)/obj/%.o) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/vdelab-plug: $(PLUG_SRC:%.c=$(B)/obj/%.o) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/vdelab-wirefilter: $(WF_SRC:%.c=$(B)/obj/%.o) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# the schema, compiled into labctl as a C string
$(B)/obj/labctl/lab_rng.c: labs/lab.rng
	@mkdir -p $(dir $@)
	{ echo 'const char lab_rng_text[] ='; sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $<; echo ';'; } > $@

$(B)/obj/labctl/lab_rng.o: $(B)/obj/labctl/lab_rng.c
	$(CC) $(CFLAGS) -c $< -o $@

LABCTL_LIBS := $(shell pkg-config --libs ncurses 2>/dev/null || echo -lncurses) $(shell pkg-config --libs libvirt 2>/dev/null || echo -lvirt) \
	$(shell pkg-config --libs libgvc 2>/dev/null || echo -lgvc -lcgraph -lcdt)

$(B)/obj/labctl/graph.o: CFLAGS += $(shell pkg-config --cflags libgvc 2>/dev/null)

$(B)/labctl: $(LABCTL_OBJ) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LABCTL_LIBS)

# where an installed labctl finds its data (the build folder's labctl uses
# the tree); util.o is rebuilt when DATADIR changes
$(B)/datadir.stamp: FORCE
	@mkdir -p $(B)/obj/labctl
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
$(B)/obj/labctl/util.o: labctl/util.c $(B)/datadir.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -DVDELAB_DATADIR='"$(DATADIR)"' -c $< -o $@

$(B)/tests/test_lab: $(B)/obj/tests/unit/test_lab.o $(filter-out $(B)/obj/labctl/main.o,$(LABCTL_OBJ)) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LABCTL_LIBS)

$(B)/tests/test_state: $(B)/obj/tests/unit/test_state.o $(B)/obj/labctl/state.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/vdeprobe: $(B)/obj/tests/tools/vdeprobe.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/udpmitm: $(B)/obj/tests/tools/udpmitm.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# the switch without any capture code, to measure what capture costs when off
$(B)/obj/bench/sw_nocap.o: vde/core/sw.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DVDELAB_NO_CAPTURE $(PKG_CFLAGS) -c $< -o $@

$(B)/bench/vdelab-switch-nocap: $(SWITCH_SRC:%.c=$(B)/obj/%.o) $(B)/obj/bench/sw_nocap.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bench/swcore-nocap: $(B)/obj/bench/swcore.o $(B)/obj/bench/sw_nocap.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bench/vdegen: bench/vdegen.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -o $@ $< -lvdeplug -lm

$(B)/bench/swcore: $(B)/obj/bench/swcore.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

deps:
	@sh tests/install-deps.sh
	@sh tests/libvirt-up.sh

check: deps
	@$(MAKE) --no-print-directory all
	@sh tests/run.sh $(B)

asan: deps
	@$(MAKE) --no-print-directory B=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all
	@ASAN_OPTIONS=detect_leaks=1 sh tests/run.sh build-asan

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz: $(FUZZ_TARGETS)
build-fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(SWITCH_SRC) $(WF_SRC)
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -o $@ $< $(CORE_SRC) $(PKG_LIBS)

# every fuzz target for FUZZ_SECONDS (60) each, from an empty corpus in
# build-fuzz/corpus-NAME; prints the exec count of each (not run by CI)
FUZZ_SECONDS ?= 60
fuzz-smoke: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do n=$$(basename $$t); mkdir -p build-fuzz/corpus-$$n; \
		$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 build-fuzz/corpus-$$n \
			> build-fuzz/$$n.log 2>&1 || { echo "FAIL $$n"; tail -30 build-fuzz/$$n.log; exit 1; }; \
		echo "$$n: $$(sed -n 's/^stat::number_of_executed_units: *//p' build-fuzz/$$n.log) execs, no crash"; done

demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo.sh $(B)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@sh bench/run.sh $(B)
	@sh bench/labs.sh $(B)
	@sh bench/cable.sh $(B)
	@sh bench/stp.sh $(B)
	@sh bench/grade.sh $(B) 30
	-@sh bench/vms.sh $(B)

fidelity: deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@sh bench/fidelity.sh $(B)

guest-image: deps
	@sh labctl/guest/mkguest.sh $(B)/guest

# man pages: NAME.SECTION.scd next to each program (scdoc(5) syntax)
MAN_SRC := vde/switch/vdelab-switch.8.scd vde/plug/vdelab-plug.1.scd \
	wirefilter/vdelab-wirefilter.1.scd labctl/labctl.8.scd labs/vdelab-lab.5.scd
MANS := $(foreach m,$(MAN_SRC),$(B)/man/$(basename $(notdir $(m))))
man: $(MANS)
define man_rule
$(B)/man/$(basename $(notdir $(1))): $(1)
	@mkdir -p $(B)/man
	scdoc < $$< > $$@
endef
$(foreach m,$(MAN_SRC),$(eval $(call man_rule,$(m))))

COMPLETION := labctl/completion.bash
PROGS := vdelab-switch vdelab-plug vdelab-wirefilter labctl

install: $(BINS) $(MANS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(EXTCAPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	for m in $(MANS); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -m 644 labs/lab.rng $(DESTDIR)$(DATADIR)/lab.rng
	install -m 755 labctl/guest/mkguest.sh $(DESTDIR)$(DATADIR)/mkguest.sh
	for d in labs examples; do (cd $$d && find . -type f ! -name '*.scd') | while read -r f; do \
		install -D -m $$(test -x $$d/$$f && echo 755 || echo 644) $$d/$$f $(DESTDIR)$(DATADIR)/$$d/$$f; done; done
	for p in $(PROGS); do install -m 644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	ln -sfr $(DESTDIR)$(BINDIR)/labctl $(DESTDIR)$(EXTCAPDIR)/vdelab

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	for m in $(MANS); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	rm -f $(DESTDIR)$(EXTCAPDIR)/vdelab
	rm -rf $(DESTDIR)$(DATADIR)

# the Debian package: the tree's folders and vde/debian (as debian/) staged
# in $(B)/deb/vdelab-VERSION, built by dpkg-buildpackage, checked by lintian
VERSION := $(shell sed -n 's/^\#define VDELAB_VERSION "\(.*\)"$$/\1/p' vde/core/version.h)
DEB_STAGE := $(B)/deb/vdelab-$(VERSION)
deb: deps
	rm -rf $(B)/deb && mkdir -p $(DEB_STAGE)
	find vde labs labctl wirefilter examples tests bench Makefile README.md BENCHMARKS.md -type f \
		! -path 'vde/debian/*' -exec cp --parents -t $(DEB_STAGE) {} +
	cp -r vde/debian $(DEB_STAGE)/debian
	cd $(DEB_STAGE) && DEB_BUILD_OPTIONS="parallel=$$(nproc)" dpkg-buildpackage -us -uc -b
	dpkg -c $(B)/deb/vdelab_$(VERSION)_*.deb > $(B)/deb/contents.txt
	lintian --fail-on error $(B)/deb/vdelab_$(VERSION)_*.deb | tee $(B)/deb/lintian.txt

# the integration tests against the programs installed in $(BINDIR), else
# /usr/bin (make install, or the package), with the tree's test tools; INSTALLCHECK_TESTS
# picks some (substrings of test names), e.g. make installcheck
# INSTALLCHECK_TESTS="cli_version labctl_labs"
INSTALLCHECK_TESTS ?=
installcheck: $(TOOLS)
	@d=$(BINDIR); [ -x $$d/labctl ] || d=/usr/bin; \
	for p in $(PROGS); do [ -x $$d/$$p ] || { echo "installcheck: no $$d/$$p (make install, or the package)"; exit 1; }; done; \
	rm -rf $(B)/installed && mkdir -p $(B)/installed/tests && \
	for p in $(PROGS); do ln -s $$d/$$p $(B)/installed/$$p; done; echo "installcheck: the programs in $$d" 
	@cp $(TOOLS) $(B)/installed/tests/
	@sh tests/run.sh $(B)/installed "$(INSTALLCHECK_TESTS)"

clean:
	rm -rf build build-asan build-fuzz

# objects made through pattern rules are kept: a second make rebuilds nothing
.SECONDARY:

FORCE:
.PHONY: FORCE man install uninstall deb installcheck all deps check asan fuzz fuzz-smoke demo bench fidelity guest-image clean
-include $(shell find $(B) -name '*.d' 2>/dev/null)
