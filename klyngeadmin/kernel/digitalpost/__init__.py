"""Digital Post (the national inbox for companies, identified by CVR): the MeMo message format
and the senders that deliver it. Domain-free: grants.cases.delivery decides which letter goes
to which CVR."""
