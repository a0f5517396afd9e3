"""Outbound fan-out: campaigns by segment, delivery reports fanned back in, mailbox provisioning."""
