"""Workers on PostgreSQL, through Procrastinate: any number of processes, on any machines.

Procrastinate carries job ids (`tasks`) from the dispatcher (`dispatch`) to
worker processes (`worker`), claims each job for one worker at a time, and
notices workers that died holding one (`stalled`). What a job did, where it
stands and whether to stop stay in our own tables, so a retried job carries
on from its checkpoint. See docs/adr/0001-task-engine.md.
"""
