"""Value created in companies, as data: structured outcomes per company, the follow-up survey and
Danmarks Statistik's effect measurements. Issue 15, item 4."""
