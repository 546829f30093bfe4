# One Offsite job as a Nomad periodic batch job. prohibit_overlap keeps Nomad from starting a run while the previous
# one is still going; the job lease in the repository keeps other clusters/hosts out as well.
job "offsite-db" {
  type = "batch"

  periodic {
    crons            = ["0 2 * * *"]
    time_zone        = "Europe/Berlin"
    prohibit_overlap = true
  }

  group "backup" {
    restart {
      attempts = 0      # a failed backup is reported (exit code, notifications), not retried blindly
      mode     = "fail"
    }

    task "offsite" {
      driver = "docker"

      config {
        image = "registry.example.com/offsite:0.1.0"
        args  = ["run", "db", "--config", "/local/offsite.yaml"]
      }

      # Vault workload identity (Nomad 1.7+): the task gets a Vault token for the role "offsite" from its signed
      # workload identity, no long-lived Vault token on the client. The role's policy allows reading the secrets below.
      identity {
        name = "vault_default"
        aud  = ["vault.io"]
        ttl  = "1h"
      }
      vault {
        role = "offsite"
      }

      # Secrets rendered as files in the task's private secrets/ directory (mode 0400), never as environment.
      template {
        destination = "secrets/password"
        perms       = "0400"
        data        = "{{ with secret \"kv/data/offsite\" }}{{ .Data.data.password }}{{ end }}"
      }
      template {
        destination = "secrets/aws-credentials"
        perms       = "0400"
        data        = <<-EOT
          [default]
          {{ with secret "kv/data/offsite" }}aws_access_key_id = {{ .Data.data.aws_access_key_id }}
          aws_secret_access_key = {{ .Data.data.aws_secret_access_key }}{{ end }}
        EOT
      }
      # The config travels with the job (read at `nomad job run` time from the file beside this one).
      template {
        destination = "local/offsite.yaml"
        data        = file("offsite.yaml")
      }

      env {
        OFFSITE_PASSWORD_FILE       = "${NOMAD_SECRETS_DIR}/password"
        AWS_SHARED_CREDENTIALS_FILE = "${NOMAD_SECRETS_DIR}/aws-credentials"
        OFFSITE_CACHE_DIR           = "${NOMAD_ALLOC_DIR}/data/cache"
      }

      kill_timeout = "2m"   # SIGTERM, then this long before SIGKILL

      resources {
        cpu    = 500
        memory = 1024
      }
    }
  }
}
