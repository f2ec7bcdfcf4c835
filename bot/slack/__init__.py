"""The Slack adapter: a Bolt app that translates Slack requests into engine calls and
engine results into Slack messages. The service layer knows nothing of Slack."""
