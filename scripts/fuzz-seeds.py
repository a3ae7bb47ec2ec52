#!/usr/bin/env python3
"""Decodes the base64 test cases of ../shared/corpora (JSON lines) into raw seed files for a
libFuzzer target, so the fuzzers start from public HTTP test suites without copying them into
the repository (several are GPL). Called by scripts/fuzz and scripts/fuzz-long for SEEDS lines
of the form `jsonl PATH KIND`:

  request   every case that is (or may be) a request, as sent
  response  every response case, after one 0 byte (FuzzHTTPResponse reads its first byte as
            the request method; 0 is GET)
  chunked   the body after the head of every case that says "chunked" (the chunked decoder's
            input)

usage: fuzz-seeds.py OUTPUT_DIR PATH KIND
"""
import base64, hashlib, json, os, sys

out, path, kind = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
written = 0
with open(path, encoding="utf-8") as lines:
    for line in lines:
        case = json.loads(line)
        declared = case.get("type") or case.get("kind") or "request"
        declared = "response" if str(declared).startswith("response") else "request"
        payloads = []
        for field in ("raw_b64", "payload_b64", "raw_utf8_b64", "raw_latin1_b64"):
            if isinstance(case.get(field), str):
                payloads.append(case[field])
        garden = case.get("payloads_b64")
        if isinstance(garden, str):  # stored as the repr of a list
            garden = [p.strip(" '\"") for p in garden.strip("[]").split(",") if p.strip(" '\"")]
        payloads += garden or []
        for encoded in payloads:
            try:
                data = base64.b64decode(encoded)
            except ValueError:
                continue
            if kind == "request" and declared == "request":
                seed = data
            elif kind == "response" and declared == "response":
                seed = b"\0" + data
            elif kind == "chunked" and b"chunked" in data.lower() and b"\r\n\r\n" in data:
                seed = data.split(b"\r\n\r\n", 1)[1]
            else:
                continue
            name = hashlib.sha1(seed).hexdigest()
            with open(os.path.join(out, name), "wb") as f:
                f.write(seed)
            written += 1
print(f"fuzz-seeds: {written} seeds from {path} ({kind})", file=sys.stderr)
