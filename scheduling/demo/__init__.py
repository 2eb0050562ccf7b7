"""Demo data of scheduling: agreements and the escalation ladder (``agreements``), meeting
series, past minutes and published agendas (``meetings``), a meeting today with partner
contributions in every state (``contributions``). Run after the demo cases."""
