# Entry points of this repository; each does its own set-up (a .venv with pinned tools).
.PHONY: bench test demo

## make bench [BENCH_ARGS="--repeats 1 --slice 20"]: performance benchmark (one operation, and the fleet part:
## K operations in one run; BENCH_ARGS="--only fleet" for that alone), writes docs/benchmarks.md and its charts
bench:
	./tools/bench $(BENCH_ARGS)

## make test: the whole test suite
test:
	./tools/test

## make demo: the simulator demo
demo:
	./tools/demo
