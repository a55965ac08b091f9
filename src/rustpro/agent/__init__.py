"""`rustpro agent`: a model acting as a senior Rust engineer, in a harness that checks for itself.

    task --> loop: model turn --> tool calls (reads in parallel, writes in order) --> results
                   ^                                                                   |
                   +-------------------------------------------------------------------+
              model says done --> gate: `rustpro verify` against the state recorded before
                                  the first edit --> pass: exit 0 / fail: the failures go back
                                  to the model, up to --max-gate-retries times

One job per module: `adapters/` talk to models (OpenAI-compatible chat completions, Anthropic
Messages, a scripted replay), `tools/` are what the model may call, `workspace` confines the
file tools, `undo` journals every change, `budget` counts turns, tokens, money and time,
`gate` runs verify, `transcript` writes the JSONL record, `loop` drives one agent and `run`
puts a whole run together.
"""
