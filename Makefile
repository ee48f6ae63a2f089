# Makefile: the build under ./build.sh (run ./build.sh, not make, unless you
# know which target you want). Every output goes under build/.
#
# Two kinds of object, by where the source lives:
#   build/opt/PATH.o    -O2, for experiments, the cnn tool and benchmarks
#   build/asan/PATH.o   AddressSanitizer + UBSan, for every test binary
#
# A chapter's implementation is every .c file of its folder except
# experiment.c and the given code (*_given.c: code the chapter hands out
# complete, compiled once from chapters/ and linked with the student's and
# the reference implementation alike). Test and experiment binaries link ONE
# chapter's implementation (the student's in chapters/, or the reference in
# solutions/) plus the reference implementation of every other chapter, so
# an unfinished chapter never blocks the next one.
#
# Headers: a file sees its own chapter's headers by their bare name
# ("conv.h") and any other chapter's only by its path
# ("01-convolution/conv.h"), so two chapters' headers can never shadow
# each other.

CC       := gcc
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN     := -Wall -Wextra -Wpedantic
# The students' own files get warnings but not -Werror: a warning should not
# stop a student's test run. ./build.sh test holds the skeletons to -Werror.
WERROR   := -Werror
OPT      := -O2 -g
ASAN     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=undefined
CHAPTERS := $(sort $(notdir $(wildcard chapters/[0-9][0-9]-*)))
INC      := -Icommon -Itests/harness -Ichapters
# $(call own_inc,SOURCE): -Ichapters/NN-topic for a source under any NN-topic/
own_inc  = $(addprefix -Ichapters/,$(firstword $(filter $(CHAPTERS),$(subst /, ,$(1)))))
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)
LIBS     := -lz -lm

mode_flags = $(if $(filter asan,$(1)),$(ASAN),$(OPT))
werror_for = $(if $(filter chapters/%,$(1)),,$(WERROR))

.PHONY: build reference student
.DEFAULT_GOAL := build
.SECONDEXPANSION:

build/opt/%.o: %.c | $$(@D)/.dir
	$(CC) $(CSTD) $(WARN) $(call werror_for,$<) $(OPT) $(INC) $(call own_inc,$<) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

build/asan/%.o: %.c | $$(@D)/.dir
	$(CC) $(CSTD) $(WARN) $(call werror_for,$<) $(ASAN) $(INC) $(call own_inc,$<) $(CHECK_CFLAGS) \
	    $(if $(findstring /hidden/,$<),-DGRADE_HIDDEN) -MMD -MP -c $< -o $@

%/.dir:
	@mkdir -p $(@D) && touch $@

# ---- object lists -------------------------------------------------------

# $(call objs,MODE,SOURCES)
objs = $(patsubst %.c,build/$(1)/%.o,$(2))
# $(call impl_srcs,DIR): a chapter implementation's sources in DIR
impl_srcs = $(filter-out %/experiment.c %_given.c,$(wildcard $(1)/*.c))
# every chapter's given code (always from chapters/)
given_objs = $(call objs,$(1),$(wildcard chapters/*/*_given.c))
# $(call ref_objs,MODE,CHAPTERS): the reference implementation of chapters
ref_objs = $(foreach c,$(2),$(call objs,$(1),$(call impl_srcs,solutions/$(c))))
others = $(filter-out $(1),$(CHAPTERS))
common_objs = $(call objs,$(1),$(wildcard common/*.c))
# what every program linking course code links: common/ and the given code
runtime_objs = $(call common_objs,$(1)) $(call given_objs,$(1))
harness_objs = $(call objs,$(1),tests/harness/grade.c tests/harness/runner.c)
# $(call test_objs,MODE,CHAPTER,SET): SET is "visible" or "all"
test_objs = $(call objs,$(1),$(wildcard tests/$(2)/*.c) \
              $(if $(filter all,$(3)),$(wildcard tests/$(2)/hidden/*.c)))

# ---- graded test runners -------------------------------------------------
# $(call runner_rule,OUT,MODE,CHAPTER,IMPL_DIR,SET)
define runner_rule
$(1): $(call harness_objs,$(2)) $(call test_objs,$(2),$(3),$(5)) \
      $(call objs,$(2),$(call impl_srcs,$(4))) \
      $(call ref_objs,$(2),$(call others,$(3))) $(call runtime_objs,$(2)) | $$$$(@D)/.dir
	$$(CC) $(call mode_flags,$(2)) -o $$@ $$^ $$(CHECK_LIBS) $$(LIBS)
endef

# Standard runners: reference with every test, student with the visible ones.
REF_BINS :=
STUDENT_BINS :=
$(foreach c,$(CHAPTERS),\
  $(eval $(call runner_rule,build/asan/run/$(c)/reference,asan,$(c),solutions/$(c),all)) \
  $(eval $(call runner_rule,build/asan/run/$(c)/student,asan,$(c),chapters/$(c),visible)) \
  $(eval REF_BINS += build/asan/run/$(c)/reference) \
  $(eval STUDENT_BINS += build/asan/run/$(c)/student))

# Any other implementation (a mutant, a submission): make RUNNER_OUT=...
# RUNNER_CHAPTER=NN-topic RUNNER_IMPL=DIR [RUNNER_SET=all] [RUNNER_MODE=asan]
ifdef RUNNER_OUT
$(eval $(call runner_rule,$(RUNNER_OUT),$(or $(RUNNER_MODE),asan),$(RUNNER_CHAPTER),$(RUNNER_IMPL),$(or $(RUNNER_SET),all)))
endif

# ---- experiments -----------------------------------------------------------
# $(call experiment_rule,OUT,CHAPTER,IMPL_DIR)
define experiment_rule
$(1): $(call objs,opt,chapters/$(2)/experiment.c) \
      $(call objs,opt,$(call impl_srcs,$(3))) \
      $(call ref_objs,opt,$(call others,$(2))) $(call runtime_objs,opt) | $$$$(@D)/.dir
	$$(CC) $(OPT) -o $$@ $$^ $$(LIBS)
endef

$(foreach c,$(CHAPTERS),$(if $(wildcard chapters/$(c)/experiment.c),\
  $(eval $(call experiment_rule,build/opt/experiment/$(c)/reference,$(c),solutions/$(c))) \
  $(eval $(call experiment_rule,build/opt/experiment/$(c)/student,$(c),chapters/$(c))) \
  $(eval REF_BINS += build/opt/experiment/$(c)/reference) \
  $(eval STUDENT_BINS += build/opt/experiment/$(c)/student)))

# ---- the cnn tool -----------------------------------------------------------
CNN_SRCS := $(wildcard tools/cnn/*.c)

build/bin/cnn: $(call objs,opt,$(CNN_SRCS)) $(call ref_objs,opt,$(CHAPTERS)) \
               $(call runtime_objs,opt) | build/bin/.dir
	$(CC) $(OPT) -o $@ $^ $(LIBS)

build/opt/cnn-student/%.o: tools/cnn/%.c | $$(@D)/.dir
	$(CC) $(CSTD) $(WARN) $(WERROR) $(OPT) $(INC) $(call own_inc,$<) -DCNN_IMPL_STUDENT -MMD -MP -c $< -o $@

build/bin/cnn-student: $(patsubst tools/cnn/%.c,build/opt/cnn-student/%.o,$(CNN_SRCS)) \
                       $(foreach c,$(CHAPTERS),$(call objs,opt,$(call impl_srcs,chapters/$(c)))) \
                       $(call runtime_objs,opt) | build/bin/.dir
	$(CC) $(OPT) -o $@ $^ $(LIBS)

# ---- tooling tests and benchmarks ------------------------------------------
build/asan/bin/test_common: $(call objs,asan,tests/tooling/test_common.c) \
                            $(call common_objs,asan) | build/asan/bin/.dir
	$(CC) $(ASAN) -o $@ $^ $(CHECK_LIBS) $(LIBS)

# Graded tests with known outcomes, to test the graded-test layer itself.
build/asan/bin/harness_demo: $(call harness_objs,asan) \
                             $(call objs,asan,tests/tooling/harness_demo.c tests/tooling/hidden/harness_demo.c) \
                             $(call common_objs,asan) | build/asan/bin/.dir
	$(CC) $(ASAN) -o $@ $^ $(CHECK_LIBS) $(LIBS)

# Hostile "student code" (tests/tooling/test_harness.sh): tricks that end or
# fool a test, and a constructor that exits before main. The second runner of
# the same tests without the constructor is the trusted list of them.
build/asan/bin/harness_hostile: $(call harness_objs,asan) \
                                $(call objs,asan,tests/tooling/harness_hostile.c) \
                                $(call common_objs,asan) | build/asan/bin/.dir
	$(CC) $(ASAN) -o $@ $^ $(CHECK_LIBS) $(LIBS)
build/asan/bin/harness_ctor: $(call harness_objs,asan) \
                             $(call objs,asan,tests/tooling/harness_ctor.c tests/tooling/harness_ctor_evil.c) \
                             $(call common_objs,asan) | build/asan/bin/.dir
	$(CC) $(ASAN) -o $@ $^ $(CHECK_LIBS) $(LIBS)
build/asan/bin/harness_ctor_list: $(call harness_objs,asan) \
                                  $(call objs,asan,tests/tooling/harness_ctor.c) \
                                  $(call common_objs,asan) | build/asan/bin/.dir
	$(CC) $(ASAN) -o $@ $^ $(CHECK_LIBS) $(LIBS)

# The peak-FLOP kernel is compiled for this machine's vector units on purpose:
# it measures what the hardware can do, the yardstick for everything else.
build/opt/bench/peak.o: bench/peak.c | $$(@D)/.dir
	$(CC) $(CSTD) $(WARN) $(WERROR) -O2 -march=native $(INC) $(call own_inc,$<) -MMD -MP -c $< -o $@

build/bin/bench: $(call objs,opt,$(filter-out bench/peak.c,$(wildcard bench/*.c))) \
                 build/opt/bench/peak.o $(call ref_objs,opt,$(CHAPTERS)) \
                 $(call runtime_objs,opt) | build/bin/.dir
	$(CC) $(OPT) -o $@ $^ $(LIBS)

# ---- the skeletons under -Werror -----------------------------------------------
# Students compile their files without -Werror; ./build.sh test holds the
# untouched skeletons to it.
.PHONY: skeleton-werror
skeleton-werror:
	@set -e; for f in $(wildcard chapters/*/*.c); do \
	    $(CC) $(CSTD) $(WARN) $(WERROR) $(INC) -I$$(dirname $$f) $(CHECK_CFLAGS) -fsyntax-only $$f; \
	done

# ---- groups -------------------------------------------------------------------
# reference: everything that does not depend on the students' code, so that
# a chapter in progress that does not compile never stops the main job.
reference: $(REF_BINS) build/asan/bin/test_common build/asan/bin/harness_demo \
           build/asan/bin/harness_hostile build/asan/bin/harness_ctor \
           build/asan/bin/harness_ctor_list \
           build/bin/cnn build/bin/bench
student: $(STUDENT_BINS) build/bin/cnn-student
build: reference student

-include $(shell find build -name '*.d' 2>/dev/null)
