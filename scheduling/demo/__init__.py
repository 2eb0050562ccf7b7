"""Demo data of scheduling: agreements and the escalation ladder (``agreements``), meeting
series, past minutes and published agendas (``meetings``). Run after the demo cases."""
