"""Data files read into validated tables: the firms (and, later, dated snapshots). The bottom layer
beside `config` and `errors`: it imports nothing else of interlock."""
