"""The tools the model may call: files, cargo, rustpro's own commands, the plan, questions
and sub-agents (`base` says how a tool is defined and scheduled)."""
