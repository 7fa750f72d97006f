"""The reviewer's work on a session: incidents, notes, outcomes, the audit trail, exports."""
