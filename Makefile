# opsql — the commands README.md names.
SWIFT ?= swift
SANDBOX ?= $(or $(OPSQL_SANDBOX),/tmp/opsql-sandbox-$(shell id -un))
# The golden tests compare with psql: 15.20 pads multi-line cells in expanded mode as opsql does
# (Debian 12's base 15.18 did not), so an older client is upgraded.
PSQL_AT_LEAST = 15.20
APT_PACKAGES = libedit-dev libpq-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev python3 postgresql-15 postgresql-client-15 tmux hyperfine sqlite3

.PHONY: install-deps build release run demo demo-stop test unit bench format lint clean

install-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	v=$$(dpkg-query -W -f='$${Version}' postgresql-client-15 2>/dev/null); \
	if [ -n "$$v" ] && dpkg --compare-versions "$$v" lt $(PSQL_AT_LEAST); then \
	  missing="$$missing postgresql-15 postgresql-client-15 libpq5 libpq-dev"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build:
	$(SWIFT) build

# The Swift runtime and the C++ runtime it needs are linked in (SQLite too, by Package.swift):
# fewer shared libraries and symbol lookups at every start. The C++ runtime is asked for with
# -lstdc++; a directory holding only libstdc++.a makes that the archive. With nothing left to
# find beside the binary, no $$ORIGIN run path: each library is looked up once, not first in a
# dozen missing folders there.
STATIC_CXX = .build/static-cxx
release:
	@mkdir -p $(STATIC_CXX) && f=$$(clang -print-file-name=libstdc++.a) && \
	  if [ -f "$$f" ]; then ln -sf "$$f" $(STATIC_CXX)/libstdc++.a; fi
	$(SWIFT) build -c release --static-swift-stdlib --disable-local-rpath -Xlinker -L$(CURDIR)/$(STATIC_CXX)

# A sandbox PostgreSQL with demo data, then the shell on it. `make demo-stop` stops it.
demo: install-deps release
	@eval "$$(scripts/pgsandbox start $(SANDBOX))" && scripts/demo-data | PGOPTIONS=-cclient_min_messages=warning psql -X -q -v ON_ERROR_STOP=1 >/dev/null && \
	  echo "sandbox in $(SANDBOX); stop it with: make demo-stop" && \
	  .build/release/opsql demo

demo-stop:
	scripts/pgsandbox stop $(SANDBOX)

# The whole suite against a throwaway cluster that is removed afterwards, pass or fail.
test: install-deps
	$(SWIFT) build --build-tests
	scripts/with-test-cluster $(SWIFT) test --skip-build

# Only the pure unit tests (no server needed).
unit:
	$(SWIFT) test --filter OpsqlKitTests

bench: install-deps release
	bench/run

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --recursive Sources Tests Package.swift

clean:
	rm -rf .build
