"""Budget and accounts per grant year: cost categories mapped to the block exemption's
operating-aid cost types, funding sources, actual costs, and public aid intensity. Issue 15, item 2."""
