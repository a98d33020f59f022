#!/usr/bin/env python3
"""An Anthropic tool loop on Alphora Sandbox, over plain HTTP (Python 3 standard library only).

    ANTHROPIC_API_KEY=sk-ant-... python3 anthropic_tool_loop.py "What is the 30th Fibonacci number? Compute it."

Settings: SANDBOX_URL (http://127.0.0.1:8080), SANDBOX_API_KEY (when the service has API keys),
ANTHROPIC_BASE_URL (https://api.anthropic.com), ANTHROPIC_MODEL (claude-sonnet-4-5).
"""
import json
import os
import sys
import urllib.error
import urllib.request

SANDBOX = os.environ.get("SANDBOX_URL", "http://127.0.0.1:8080")
KEY = {"Authorization": f"Bearer {os.environ['SANDBOX_API_KEY']}"} if os.environ.get("SANDBOX_API_KEY") else {}
ANTHROPIC = os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
MODEL = os.environ.get("ANTHROPIC_MODEL", "claude-sonnet-4-5")


def http(method, url, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=900) as r:
            raw = r.read()
            return json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {url}: HTTP {e.code} {e.read().decode()}")


prompt = sys.argv[1] if len(sys.argv) > 1 else "What is the 30th Fibonacci number? Compute it."
sandbox = http("POST", f"{SANDBOX}/v1/sandboxes", {"name": "anthropic-agent"}, KEY)["sandbox_id"]
tools = http("GET", f"{SANDBOX}/v1/tools?format=anthropic", None, KEY)["tools"]  # the 20 tools
headers = {"x-api-key": os.environ["ANTHROPIC_API_KEY"], "anthropic-version": "2023-06-01"}
messages = [{"role": "user", "content": prompt}]
try:
    for _ in range(20):                                                     # at most 20 model turns
        reply = http("POST", f"{ANTHROPIC}/v1/messages",
                     {"model": MODEL, "max_tokens": 4096, "tools": tools, "messages": messages,
                      "system": "You solve tasks by running Python in a sandbox with the tools."}, headers)
        messages.append({"role": "assistant", "content": reply["content"]})  # the assistant turn, as is
        uses = [block for block in reply["content"] if block["type"] == "tool_use"]
        if not uses:
            print("".join(block["text"] for block in reply["content"] if block["type"] == "text"))
            break
        results = []
        for block in uses:                                                  # forward each block unchanged
            answer = http("POST", f"{SANDBOX}/v1/tools/call", {"sandbox_id": sandbox, "tool_use": block}, KEY)
            print(f"[{block['name']}] success={answer['result']['success']}", file=sys.stderr)
            results.append(answer["message"])                               # {type: tool_result, tool_use_id, ...}
        messages.append({"role": "user", "content": results})               # all results in one user turn
finally:
    http("DELETE", f"{SANDBOX}/v1/sandboxes/{sandbox}", None, KEY)
