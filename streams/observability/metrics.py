"""The processor's own Prometheus metrics, on a dedicated registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from streams.observability.histogram import BatchHistogram

__all__ = ["E2E_BUCKETS", "PipelineMetrics"]

# Include the freshness SLO threshold (60 s) as a bucket boundary: alerts read le="60".
E2E_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
               300.0, 900.0)
PROCESSING_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                      0.1, 0.25, 1.0)


class PipelineMetrics:
    """Every non-lag metric the worker exports; labels hold fixed codes only."""

    def __init__(self, registry: CollectorRegistry) -> None:
        r = self.registry = registry
        self.events_in = Counter("logwarden_events_in", "Raw events taken from the input.",
                                 ["topic", "partition"], registry=r)
        self.events_out = Counter("logwarden_events_out", "Events routed, by outcome.",
                                  ["route"], registry=r)
        self.transforms = Counter("logwarden_transforms",
                                  "Events in which a data category was found and treated.",
                                  ["category"], registry=r)
        self.deadletters = Counter("logwarden_deadletter", "Dead-lettered events, by reason.",
                                   ["reason"], registry=r)
        self.consent_rejected = Counter("logwarden_consent_rejected",
                                        "Invalid consent events ignored, by reason.",
                                        ["reason"], registry=r)
        self.keys_created = Counter("logwarden_subject_keys_created",
                                    "Per-subject data keys created.", registry=r)
        self.processing = BatchHistogram("logwarden_processing_seconds",
                                         "Engine time per event.", PROCESSING_BUCKETS, r)
        self.e2e = BatchHistogram("logwarden_event_e2e_latency_seconds",
                                  "Routing time minus the raw record's broker timestamp.",
                                  E2E_BUCKETS, r)
        self.rebalances = Counter("logwarden_rebalances", "Consumer group rebalances.",
                                  registry=r)
        self.assigned = Gauge("logwarden_assigned_partitions",
                              "Partitions assigned to this worker.", registry=r)
        self.table_size = Gauge("logwarden_table_entries",
                                "Entries in a state table (consent view, suppression list).",
                                ["table"], registry=r)
        self.rights = Counter("logwarden_rights_requests", "Data-subject requests handled.",
                              ["kind", "status"], registry=r)
        self.rights_seconds = Histogram("logwarden_rights_request_duration_seconds",
                                        "Time to handle a data-subject request.", ["kind"],
                                        registry=r)
        self.ready = Gauge("logwarden_ready", "1 once tables recovered and topics checked.",
                           registry=r)
        self.lag_sample_time = Gauge("logwarden_lag_sample_timestamp_seconds",
                                     "When the lag sampler last read the broker.",
                                     registry=r)
        self.lag_sample_failures = Counter("logwarden_lag_sample_failures",
                                           "Lag samples that failed.", registry=r)
