"""The Slack adapter: a Bolt app that translates Slack requests into engine calls and
engine results into Slack messages. The dialog engine knows nothing of Slack."""
