# The two commands of README.md.
#   make report   installs what is missing, builds in release mode, runs `paper-repro all`
#   make test     installs what is missing, builds and runs every test
PRESET ?= default
SWIFT ?= swift
RELEASE_FLAGS = -c release

.PHONY: report test deps build smoke clean format

deps:
	@scripts/install-system-deps

build: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product paper-repro

report: build
	$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/paper-repro all --preset $(PRESET)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Formats the Swift sources with the toolchain's swift-format (.swift-format: 4 spaces, 140 columns).
format:
	$(SWIFT) format format --in-place --recursive --configuration .swift-format Sources Tests

clean:
	rm -rf .build runs report
