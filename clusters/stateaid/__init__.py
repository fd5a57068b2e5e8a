"""Participant fees and state aid (issue 15, item 3): an activity's fee and its basis, the aid a
company receives per activity with its legal basis, de minimis declarations, the rolling
three-year de minimis sum per single undertaking against the ceiling in force (configuration,
`StateAidCeiling`, converted from DKK at a stored `ExchangeRate`), the caseworkers' export for
the state-aid register and the clusters' page "statsstøtte pr. virksomhed"."""
