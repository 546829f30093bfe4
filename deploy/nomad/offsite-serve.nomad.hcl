# offsite serve as a Nomad service job: scheduler + HTTP API + /metrics.
job "offsite-serve" {
  type = "service"

  group "serve" {
    count = 1

    network {
      port "http" { to = 8470 }
    }

    service {
      name     = "offsite-serve"
      port     = "http"
      provider = "nomad"
      check {
        type     = "http"
        path     = "/healthz"   # the only path without the bearer token
        interval = "30s"
        timeout  = "5s"
      }
    }

    task "offsite" {
      driver = "docker"
      config {
        image = "registry.example.com/offsite:0.1.0"
        args  = ["serve", "--config", "/local/offsite.yaml"]
        ports = ["http"]
      }
      identity {
        name = "vault_default"
        aud  = ["vault.io"]
        ttl  = "1h"
      }
      vault {
        role        = "offsite"
        change_mode = "signal"
        change_signal = "SIGHUP"   # re-read the config (and token files) when the secrets change
      }
      template {
        destination = "local/offsite.yaml"
        data        = file("offsite.yaml")
        change_mode = "signal"
        change_signal = "SIGHUP"
      }
      template {
        destination = "secrets/password"
        perms       = "0400"
        data        = "{{ with secret \"kv/data/offsite\" }}{{ .Data.data.password }}{{ end }}"
      }
      template {
        destination = "secrets/api-token"
        perms       = "0400"
        data        = "{{ with secret \"kv/data/offsite\" }}{{ .Data.data.api_token }}{{ end }}"
      }
      env {
        OFFSITE_PASSWORD_FILE = "${NOMAD_SECRETS_DIR}/password"
        OFFSITE_CACHE_DIR     = "${NOMAD_ALLOC_DIR}/data/cache"
      }
      # SIGTERM: no new runs, running ones get server.shutdown_grace (keep it below kill_timeout), then are cancelled.
      kill_timeout = "2m"
      resources {
        cpu    = 500
        memory = 1024
      }
    }
  }
}
