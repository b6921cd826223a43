"""A faithful local Sage Intacct XML gateway: server, synthetic company, faults, mutations."""
