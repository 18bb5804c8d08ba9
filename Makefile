# Convenience targets; each is one of the project's scripts (the README's commands).
.PHONY: test lint unit molecule images demo demo-down docs build bench

test:
	bash tools/test.sh

lint:
	WSGISTACK_STAGES=lint bash tools/test.sh

unit:
	WSGISTACK_STAGES=unit bash tools/test.sh

molecule:
	WSGISTACK_STAGES=molecule bash tools/test.sh

images:
	tools/images.sh

demo:
	bash tools/demo.sh

demo-down:
	bash tools/demo.sh down

docs:
	.venv/bin/python tools/role_docs.py

build:
	.venv/bin/ansible-galaxy collection build --force

bench:
	bash tools/bench.sh
