/**
 * Types of the Cyrange API, generated from its OpenAPI document by openapi-typescript.
 * Do not edit: run `npm run gen:api` (a test fails when this file is out of date).
 */

export interface paths {
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics (admin token, or a `metrics`-scope token): ranges, hosts, job durations, per-NIC counters */
    get: operations['getMetrics'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/login': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Exchange a user name and password for an API token (expires; failed logins are rate-limited) */
    post: operations['login'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The caller */
    get: operations['getMe'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List users (admin) */
    get: operations['listUsers'];
    put?: never;
    /** Create a user; the response holds their API token, shown only this once */
    post: operations['createUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tokens': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List API tokens: your own (admins: everyone’s); never the secrets */
    get: operations['listTokens'];
    put?: never;
    /** Make a token for a user (admin); the response holds it, shown only this once */
    post: operations['createToken'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tokens/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke a token: your own (admins: anyone’s); it stops working at once */
    delete: operations['revokeToken'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tickets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A single-use ticket, valid 30 s, for a WebSocket or Server-Sent Events URL (?ticket=), which cannot carry the Authorization header */
    post: operations['createTicket'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/blueprints': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List blueprints (instructors see their own) */
    get: operations['listBlueprints'];
    put?: never;
    /** Create or import a blueprint (JSON, or YAML with Content-Type application/yaml) */
    post: operations['createBlueprint'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/blueprints/validate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Validate a blueprint and return its plan (nothing is stored) */
    post: operations['validateBlueprint'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/blueprints/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a blueprint */
    get: operations['getBlueprint'];
    /** Replace a blueprint */
    put: operations['updateBlueprint'];
    post?: never;
    /** Delete a blueprint */
    delete: operations['deleteBlueprint'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/blueprints/{id}/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Export a blueprint as YAML */
    get: operations['exportBlueprint'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the range instances you may see */
    get: operations['listRanges'];
    put?: never;
    /**
     * Deploy a blueprint as a range instance; returns a job
     * @description On a deployed instance this answers as `cyrange deploy` does: the same blueprint repairs what is missing (nothing changes when nothing is), a changed one gets exactly its diff in place; a change that cannot be made in place is refused with 422 (use PUT /api/ranges/{name} with `replace`).
     */
    post: operations['deployRange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A range with its hosts and their live state */
    get: operations['getRange'];
    /**
     * Apply a changed blueprint to a deployed range in place; returns a job whose events are the changes
     * @description Only what changed is applied (hosts and networks added or removed, NICs added, removed or re-addressed, rate limits, routes, policies); hosts that did not change keep running. A change that cannot be made in place (a network subnet, gateway, egress or DHCP, a host runtime, the range cap) is refused with 422 unless `replace` is true: then that host is recreated, or for a network the range is rebuilt. `cyrange plan FILE --name NAME` lists the changes.
     */
    put: operations['applyRange'];
    post?: never;
    /** Destroy a range instance; returns a job */
    delete: operations['destroyRange'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/networks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Networks of a range */
    get: operations['listNetworks'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/stats': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Per-NIC rx/tx bytes, packets and drops of the running range, as last read in the background */
    get: operations['getRangeStats'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Hosts of a range */
    get: operations['listHosts'];
    put?: never;
    /** Add a host with one or more NICs (built at once on a running range) */
    post: operations['addHost'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts/{host}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One host */
    get: operations['getHost'];
    put?: never;
    post?: never;
    /** Remove a host */
    delete: operations['removeHost'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts/{host}/start': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Start a host */
    post: operations['startHost'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts/{host}/stop': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop a host */
    post: operations['stopHost'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts/{host}/restart': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Restart a host */
    post: operations['restartHost'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts/{host}/interfaces': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Attach a running host to one more network */
    post: operations['addNic'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts/{host}/interfaces/{network}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Detach a host from a network (not the primary) */
    delete: operations['removeNic'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/assignments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Assign a range to a student */
    post: operations['assignRange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/jobs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A deploy, destroy or reconcile job and its step events (`interrupted`: its server stopped first; `reconcile_job` repairs the range) */
    get: operations['getJob'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/jobs/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cancel a running job: its work stops and undoes what it did (a deploy rolls back), and the job ends `failed` with "cancelled by USER" (admins and the job's owner; 409 when it has ended or another server process runs it) */
    post: operations['cancelJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/jobs/{id}/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Server-Sent Events: one `step` event per step, then `end` (EventSource: authenticate with ?ticket= from POST /api/tickets) */
    get: operations['followJob'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts/{host}/vnc': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** WebSocket carried to the host's VNC server (binary RFB; for noVNC; ?ticket= from POST /api/tickets) */
    get: operations['openVnc'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts/{host}/console': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** WebSocket terminal into a host (Authorization header, or ?ticket= from POST /api/tickets) */
    get: operations['openConsole'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/hosts/{host}/reset': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Put a host back to its deployed state (its writes discarded; NICs, IPs and MACs stay) */
    post: operations['resetHost'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/reset': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Put every host of a range back to its deployed state */
    post: operations['resetRange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/snapshots': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Snapshots of a range */
    get: operations['listSnapshots'];
    put?: never;
    /** Take a consistent snapshot of a running range (its hosts are frozen while it is taken) */
    post: operations['createSnapshot'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/snapshots/{snapshot}/restore': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Put a range's hosts back to a snapshot */
    post: operations['restoreSnapshot'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/snapshots/{snapshot}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Remove a snapshot */
    delete: operations['removeSnapshot'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ranges/{name}/networks/{network}/capture': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Stream pcap from a network's bridge, or one host's NIC on it (?host=, ?filter= BPF, ?seconds= to stop after); authorized like a console */
    get: operations['captureNetwork'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/pools': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Pools you own (admins: all) */
    get: operations['listPools'];
    put?: never;
    /** Deploy a pool: `size` copies of a blueprint (`NAME-01` …), one per roster student; returns a job */
    post: operations['createPool'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/pools/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A pool with its copies, their students and states */
    get: operations['getPool'];
    put?: never;
    post?: never;
    /** Destroy every copy of a pool (and its students' assignments); returns a job */
    delete: operations['destroyPool'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/pools/{name}/resize': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Grow or shrink a pool to `size` copies; returns a job */
    post: operations['resizePool'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description One problem of an invalid input. */
    Problem: {
      /** @description Where, e.g. `vms[2].interfaces[1].ip`. */
      path: string;
      message: string;
      /** @description Path and message in one line, as the CLI prints it. */
      line: string;
    };
    /** @description Every error answer (4xx, 5xx). */
    Error: {
      /** @description A stable code, e.g. `CYR_NOT_FOUND`, `CYR_INVALID`; the HTTP status is always that of its code. */
      code: string;
      message: string;
      /** @description What to do about it. */
      hint?: string;
      /** @description Each problem of an invalid input (422). */
      problems?: components['schemas']['Problem'][];
    };
    /** @description One NIC of a host. */
    Nic: {
      /** @description The network name (unique within the range). */
      network_id: string;
      network_name: string;
      /** @description The address; for a DHCP NIC, the one observed, or null. */
      ip_address: string | null;
      subnet: string;
      /** @description The first NIC; exactly one per host. */
      is_primary: boolean;
      mac: string;
      /** @description Name inside the host (`eth0` for the primary). */
      ifname: string;
      /**
       * @description How the NIC got its address.
       * @enum {string}
       */
      addressing: 'static' | 'auto' | 'dhcp';
    };
    /** @description A host and its NICs. */
    Host: {
      name: string;
      /** @enum {string} */
      runtime: 'netns' | 'docker' | 'microvm';
      image: string | null;
      /**
       * @description The network mode.
       * @enum {string}
       */
      mode: 'bridged' | 'dhcp' | 'vsock';
      hidden: boolean;
      vnc_port: number | null;
      /**
       * @description Live state; null where it was not read.
       * @enum {string|null}
       */
      state: 'running' | 'stopped' | 'missing' | null;
      /** @description The NICs, primary first: the truth about addresses. */
      networks: components['schemas']['Nic'][];
      /**
       * @deprecated
       * @description Deprecated: `networks[0].network_id` (the primary NIC).
       */
      network_id: string | null;
      /**
       * @deprecated
       * @description Deprecated: `networks[0].ip_address` (the primary NIC).
       */
      ip_address: string | null;
    };
    /** @description A network of a range. */
    Network: {
      /** @description The network name, unique within its range. */
      id: string;
      name: string;
      subnet: string;
      gateway: string;
      /** @enum {string} */
      egress: 'none' | 'nat' | 'bridge';
      /** @description Whether the range serves DHCP on this network. */
      dhcp: boolean;
    };
    /** @description A range instance. */
    Range: {
      /** @description The instance name. */
      name: string;
      /** @description The name in the blueprint. */
      blueprint: string;
      /** @enum {string} */
      status: 'planned' | 'deploying' | 'running' | 'degraded' | 'down' | 'failed' | 'destroying';
      /** @enum {string} */
      kind: 'range' | 'standalone';
      owner: string | null;
      /** @description Hosts the caller may see. */
      host_count: number;
      networks: components['schemas']['Network'][];
      routes: [string, string][];
    };
    /** @description A range instance with its hosts and their live state. */
    RangeDetail: {
      /** @description The instance name. */
      name: string;
      /** @description The name in the blueprint. */
      blueprint: string;
      /** @enum {string} */
      status: 'planned' | 'deploying' | 'running' | 'degraded' | 'down' | 'failed' | 'destroying';
      /** @enum {string} */
      kind: 'range' | 'standalone';
      owner: string | null;
      /** @description Hosts the caller may see. */
      host_count: number;
      networks: components['schemas']['Network'][];
      routes: [string, string][];
      hosts: components['schemas']['Host'][];
    };
    /** @description A deploy or destroy job was started. */
    JobAccepted: {
      /**
       * Format: uuid
       * @description Poll /api/jobs/{id}, or follow /api/jobs/{id}/events.
       */
      job_id: string;
      instance: string;
    };
    /** @description A finished step of an operation. */
    StepResult: {
      step: string;
      /** @enum {string} */
      status: 'done' | 'failed' | 'skipped';
      ms: number;
      error?: string;
    };
    /** @description A step of an operation changed status. */
    StepEvent: {
      /** @enum {string} */
      kind: 'step';
      /** @enum {string} */
      op: 'deploy' | 'destroy' | 'gc' | 'host' | 'nic';
      instance: string;
      step: string;
      /** @enum {string} */
      status: 'started' | 'done' | 'failed' | 'skipped';
      ms?: number;
      error?: string;
    };
    /** @description A progress line inside a running step. */
    ProgressEvent: {
      /** @enum {string} */
      kind: 'progress';
      instance: string;
      step: string;
      message: string;
    };
    /** @description A deploy, destroy or reconcile job, with the events the caller may see. */
    Job: {
      /** Format: uuid */
      id: string;
      /** @enum {string} */
      op: 'deploy' | 'destroy' | 'reconcile';
      instance: string;
      /**
       * @description `interrupted`: the server running it stopped first; `reconcile_job` repairs the range.
       * @enum {string}
       */
      status: 'running' | 'succeeded' | 'failed' | 'interrupted';
      error: {
        code: string;
        message: string;
      } | null;
      /** @description What the operation returned (a deploy: its `steps`), or null while it runs. */
      result: unknown;
      /** Format: date-time */
      started_at: string;
      /** Format: date-time */
      finished_at: string | null;
      duration_ms: number | null;
      events: (components['schemas']['StepEvent'] | components['schemas']['ProgressEvent'])[];
      /** @description For an interrupted job: the reconcile job that repairs its range. */
      reconcile_job: string | null;
      /** @description For a reconcile job: the interrupted jobs whose range it repairs. */
      repairs: string[];
    };
    /** @description What a host action did. */
    HostAction: {
      host: string;
      /** @enum {string} */
      action: 'start' | 'stop' | 'restart' | 'reset';
      steps: components['schemas']['StepResult'][];
    };
    /** @description What a range reset did. */
    RangeReset: {
      instance: string;
      /** @enum {string} */
      action: 'reset';
      steps: components['schemas']['StepResult'][];
    };
    /** @description Per-NIC counters of a running range, as last read in the background. */
    Stats: {
      /**
       * Format: date-time
       * @description When the counters were read; null before the first reading.
       */
      sampled_at: string | null;
      nics: {
        host: string;
        network: string;
        ifname: string;
        /** @description Whether the NIC exists now; when not, its current counters are 0. */
        present: boolean;
        rx_bytes: number;
        tx_bytes: number;
        rx_packets: number;
        tx_packets: number;
        rx_dropped: number;
        tx_dropped: number;
        /** @description Sums that survive the NIC being recreated (a host restart). */
        total: {
          rx_bytes: number;
          tx_bytes: number;
          rx_packets: number;
          tx_packets: number;
          rx_dropped: number;
          tx_dropped: number;
        };
      }[];
    };
    /** @description A snapshot of a range. */
    Snapshot: {
      name: string;
      hosts: string[];
      /** Format: date-time */
      created_at: string;
    };
    /** @description A stored blueprint. */
    Blueprint: {
      id: number;
      name: string;
      owner: string;
      /** @description The YAML or JSON text as written. */
      source: string;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      updated_at: string;
    };
    /** @description A blueprint: `{source}` with YAML or JSON text, or the blueprint object itself. */
    BlueprintInput:
      | {
          /** @description Blueprint YAML or JSON text. */
          source: string;
        }
      | components['schemas']['RawRange'];
    /** @description A blueprint as written (see the README). */
    RawRange: {
      name: string;
      description?: string;
      plugins?: {
        [key: string]: {
          /** @enum {string} */
          runtime?: 'netns' | 'docker' | 'microvm';
          image?: string;
          command?: string | string[];
          env?: {
            [key: string]: string;
          };
          resources?: {
            memory?: string | number;
            cpus?: number;
          };
          network?: {
            /** @enum {string} */
            mode?: 'bridged' | 'dhcp' | 'vsock';
            subnet?: string;
            gateway?: string;
            auto_assign?: boolean;
          };
          microvm?: {
            /** @enum {string} */
            launcher?: 'qemu' | 'firecracker';
            kernel?: string;
            initrd?: string;
            disk?: string;
            append?: string;
            /** @enum {string} */
            init?: 'cyrange' | 'disk';
          };
          rootfs?: string;
          /** @enum {string} */
          sandbox?: 'runc' | 'none';
          users?: {
            name: string;
            password?: unknown;
            passwd?: unknown;
            ssh_authorized_keys?: string[];
            sudo?: boolean;
            shell?: string;
          }[];
        };
      };
      /** @default [] */
      networks: {
        name: string;
        subnet: string;
        gateway?: string;
        /** @enum {string} */
        egress?: 'none' | 'nat' | 'bridge';
        host_bridge?: string;
        dhcp?:
          | boolean
          | {
              start: string;
              end: string;
              lease_seconds?: number;
            };
        dns?: string[];
        reserved?: string[];
      }[];
      routes?: [string, string][];
      policies?: {
        host?: string;
        network?: string;
        /** @enum {string} */
        direction: 'ingress' | 'egress';
        /**
         * @default any
         * @enum {string}
         */
        protocol: 'tcp' | 'udp' | 'icmp' | 'any';
        port?: number | string;
        peer?: string;
        /** @enum {string} */
        action: 'allow' | 'deny';
        /** @default 100 */
        priority: number;
      }[];
      /** @default [] */
      vms: {
        name: string;
        plugin?: string;
        /** @enum {string} */
        runtime?: 'netns' | 'docker' | 'microvm';
        image?: string;
        command?: string | string[];
        env?: {
          [key: string]: string;
        };
        resources?: {
          memory?: string | number;
          cpus?: number;
        };
        network?: {
          /** @enum {string} */
          mode?: 'bridged' | 'dhcp' | 'vsock';
          subnet?: string;
          gateway?: string;
          auto_assign?: boolean;
        };
        microvm?: {
          /** @enum {string} */
          launcher?: 'qemu' | 'firecracker';
          kernel?: string;
          initrd?: string;
          disk?: string;
          append?: string;
          /** @enum {string} */
          init?: 'cyrange' | 'disk';
        };
        rootfs?: string;
        /** @enum {string} */
        sandbox?: 'runc' | 'none';
        users?: {
          name: string;
          password?: unknown;
          passwd?: unknown;
          ssh_authorized_keys?: string[];
          sudo?: boolean;
          shell?: string;
        }[];
        interfaces?: {
          network: string;
          ip?: string | null;
          mac?: string;
          rate_limit?: {
            ingress_mbps?: number;
            egress_mbps?: number;
            burst_kb?: number;
          };
        }[];
        network_id?: string;
        ip_address?: string | null;
        ip_forward?: boolean;
        hidden?: boolean;
        vnc_port?: number;
      }[];
      resources?: {
        memory?: string | number;
        cpus?: number;
      };
    };
    /** @description A validated range with every address allocated (what a deploy would build). */
    Plan: {
      name: string;
      instance: string;
      description?: string | null;
      networks: {
        name: string;
        subnet: string;
        gateway: string;
        bridge?: string;
      }[];
      routes: [string, string][];
      policies: Record<string, never>[];
      hosts: {
        name: string;
        /** @enum {string} */
        runtime: 'netns' | 'docker' | 'microvm';
        interfaces: {
          network: string;
          ip: string | null;
          mac: string;
          primary: boolean;
          ifname: string;
        }[];
      }[];
    };
    /** @description What applying a blueprint would change, in the order it would be applied; nothing is changed. */
    ApplyPlan: {
      instance: string;
      changes: {
        /** @description host-add, nic-readdress, replace, policies, … */
        kind: string;
        /** @description The change as `cyrange plan` prints it. */
        summary: string;
        /** @description For a replace: the blueprint field that forces it. */
        path?: string;
      }[];
      /** @description Whether a change needs `replace: true` (a host recreated or the range rebuilt). */
      replaces: boolean;
    };
    /** @description A host. `networks` lists its NICs, the first is primary; `ip_address` null means auto-assign. The legacy `network_id` + `ip_address` form is one primary NIC. */
    HostInput: {
      name: string;
      /** @enum {string} */
      runtime?: 'netns' | 'docker' | 'microvm';
      image?: string;
      command?: string | string[];
      env?: {
        [key: string]: string;
      };
      resources?: {
        memory?: string | number;
        cpus?: number;
      };
      network?: {
        /** @enum {string} */
        mode?: 'bridged' | 'dhcp' | 'vsock';
        subnet?: string;
        gateway?: string;
        auto_assign?: boolean;
      };
      microvm?: {
        /** @enum {string} */
        launcher?: 'qemu' | 'firecracker';
        kernel?: string;
        initrd?: string;
        disk?: string;
        append?: string;
        /** @enum {string} */
        init?: 'cyrange' | 'disk';
      };
      rootfs?: string;
      /** @enum {string} */
      sandbox?: 'runc' | 'none';
      users?: {
        name: string;
        password?: unknown;
        passwd?: unknown;
        ssh_authorized_keys?: string[];
        sudo?: boolean;
        shell?: string;
      }[];
      network_id?: string;
      ip_address?: string | null;
      ip_forward?: boolean;
      hidden?: boolean;
      vnc_port?: number;
      networks?: components['schemas']['NicInput'][];
    };
    /** @description One NIC of a host to create. */
    NicInput: {
      /** @description A network of the range. */
      network_id: string;
      /** @description The address; absent or null: the next free one. */
      ip_address?: string | null;
    };
    /** @description A user. */
    User: {
      id: number;
      name: string;
      /** @enum {string} */
      role: 'admin' | 'instructor' | 'student';
    };
    /** @description The caller. */
    Me: {
      id: number;
      name: string;
      /** @enum {string} */
      role: 'admin' | 'instructor' | 'student';
      /** @description Range instances assigned to the caller (students). */
      assigned: string[];
      /** @description The token of the request. */
      token: {
        id: number;
        /** Format: date-time */
        expires_at: string | null;
      };
    };
    /** @description A new user and their first API token. */
    UserCreated: {
      id: number;
      name: string;
      /** @enum {string} */
      role: 'admin' | 'instructor' | 'student';
      /** @description Shown only this once. */
      token: string;
      token_id: number;
      /** Format: date-time */
      expires_at: string | null;
    };
    /** @description A new login token. */
    Login: {
      /** @description Send it as `Authorization: Bearer TOKEN`. */
      token: string;
      token_id: number;
      /** Format: date-time */
      expires_at: string;
      user: components['schemas']['User'];
    };
    /** @description An API token (never its secret). */
    Token: {
      id: number;
      user: string;
      label: string;
      /** @enum {string} */
      scope: 'api' | 'metrics';
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      expires_at: string | null;
      expired: boolean;
      /** @description Whether this is the token of the request. */
      current: boolean;
    };
    /** @description A new API token. */
    TokenCreated: {
      id: number;
      user: string;
      label: string;
      /** @enum {string} */
      scope: 'api' | 'metrics';
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      expires_at: string | null;
      expired: boolean;
      /** @description Whether this is the token of the request. */
      current: boolean;
      /** @description Shown only this once. */
      token: string;
    };
    /** @description A single-use ticket for a WebSocket or Server-Sent Events URL. */
    Ticket: {
      /** @description Pass it as `?ticket=`; it works once. */
      ticket: string;
      /** @description Seconds it stays valid. */
      expires_in: number;
    };
    /** @description A pool: identical copies of one blueprint, one per student. */
    Pool: {
      name: string;
      owner: string | null;
      /** @description Whether its students may reset their own copy. */
      student_reset: boolean;
      /** Format: date-time */
      created_at: string;
      members: {
        instance: string;
        position: number;
        student: string | null;
      }[];
    };
    /** @description A pool with the state of each copy. */
    PoolDetail: {
      name: string;
      owner: string | null;
      /** @description Whether its students may reset their own copy. */
      student_reset: boolean;
      /** Format: date-time */
      created_at: string;
      members: {
        instance: string;
        position: number;
        student: string | null;
        /** @enum {string} */
        status: 'planned' | 'deploying' | 'running' | 'degraded' | 'down' | 'failed' | 'destroying' | 'missing';
        host_count: number;
      }[];
    };
    /** @description A pool job was started. */
    PoolJobAccepted: {
      /**
       * Format: uuid
       * @description Poll /api/jobs/{id}, or follow /api/jobs/{id}/events.
       */
      job_id: string;
      pool: string;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getMetrics: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Prometheus text format. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  login: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          username: string;
          password: string;
        };
      };
    };
    responses: {
      /** @description A new login token. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Login'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Wrong user name or password. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Too many failed logins for this user name or client address. */
      429: {
        headers: {
          /** @description Seconds to wait. */
          'retry-after'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getMe: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The caller. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Me'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listUsers: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'][];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createUser: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          /** @enum {string} */
          role: 'admin' | 'instructor' | 'student';
          password?: string;
          /** @description seconds the new user's token lives; absent or null: no expiry */
          expires_in?: number | null;
        };
      };
    };
    responses: {
      /** @description A new user and their first API token. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['UserCreated'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listTokens: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Token'][];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createToken: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description user name; default: the caller */
          user?: string;
          /**
           * @description `api` (default) or `metrics` (only /metrics)
           * @enum {string}
           */
          scope?: 'api' | 'metrics';
          /** @description seconds until it expires; absent or null: never */
          expires_in?: number | null;
          label?: string;
        };
      };
    };
    responses: {
      /** @description A new API token. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TokenCreated'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  revokeToken: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Revoked. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createTicket: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A single-use ticket for a WebSocket or Server-Sent Events URL. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Ticket'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listBlueprints: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Blueprint'][];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createBlueprint: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['BlueprintInput'];
        'application/yaml': string;
      };
    };
    responses: {
      /** @description A stored blueprint. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Blueprint'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  validateBlueprint: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['BlueprintInput'];
        'application/yaml': string;
      };
    };
    responses: {
      /** @description A validated range with every address allocated (what a deploy would build). */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Plan'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getBlueprint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A stored blueprint. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Blueprint'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  updateBlueprint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['BlueprintInput'];
        'application/yaml': string;
      };
    };
    responses: {
      /** @description A stored blueprint. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Blueprint'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteBlueprint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  exportBlueprint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The blueprint as YAML. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/yaml': string;
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listRanges: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Range'][];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deployRange: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description A stored blueprint (`blueprint_id`) or blueprint text (`source`), and an instance name (default: the blueprint name). */
    requestBody: {
      content: {
        'application/json': {
          blueprint_id?: number;
          source?: string;
          name?: string;
        };
      };
    };
    responses: {
      /** @description A deploy or destroy job was started. */
      202: {
        headers: {
          /** @description The job: /api/jobs/{id}. */
          location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobAccepted'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getRange: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A range instance with its hosts and their live state. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RangeDetail'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  applyRange: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    /** @description Blueprint text (`source`) or a stored blueprint (`blueprint_id`) for this instance. */
    requestBody: {
      content: {
        'application/json': {
          /** @description blueprint YAML or JSON text */
          source?: string;
          blueprint_id?: number;
          /**
           * @description also apply what cannot change in place
           * @default false
           */
          replace?: boolean;
          /**
           * @description only answer what would change (200), as `cyrange plan` does
           * @default false
           */
          dry_run?: boolean;
        };
      };
    };
    responses: {
      /** @description What applying a blueprint would change, in the order it would be applied; nothing is changed. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApplyPlan'];
        };
      };
      /** @description A deploy or destroy job was started. */
      202: {
        headers: {
          /** @description The job: /api/jobs/{id}. */
          location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobAccepted'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Another operation is working on this range. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  destroyRange: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A deploy or destroy job was started. */
      202: {
        headers: {
          /** @description The job: /api/jobs/{id}. */
          location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobAccepted'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listNetworks: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Network'][];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getRangeStats: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Per-NIC counters of a running range, as last read in the background. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Stats'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listHosts: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Host'][];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  addHost: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['HostInput'];
      };
    };
    responses: {
      /** @description A host and its NICs. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Host'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getHost: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        host: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A host and its NICs. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Host'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  removeHost: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        host: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  startHost: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        host: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description What a host action did. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HostAction'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  stopHost: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        host: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description What a host action did. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HostAction'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  restartHost: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        host: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description What a host action did. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HostAction'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  addNic: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        host: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['NicInput'];
      };
    };
    responses: {
      /** @description A host and its NICs. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Host'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  removeNic: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        host: string;
        network: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A host and its NICs. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Host'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  assignRange: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          user: string;
        };
      };
    };
    responses: {
      /** @description Assigned. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A deploy, destroy or reconcile job, with the events the caller may see. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Job'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  cancelJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A deploy, destroy or reconcile job, with the events the caller may see. */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Job'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  followJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description An event stream: `step` and `progress` events (StepEvent, ProgressEvent), then one `end` with `status`, `error`, `duration_ms` and `reconcile_job`. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': string;
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  openVnc: {
    parameters: {
      query?: {
        /** @description A ticket from POST /api/tickets (browsers). */
        ticket?: string;
      };
      header?: never;
      path: {
        name: string;
        host: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Switched to the WebSocket protocol. */
      101: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A plain request, not a WebSocket upgrade. */
      426: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  openConsole: {
    parameters: {
      query?: {
        /** @description Terminal width (default 100). */
        cols?: number;
        /** @description Terminal height (default 30). */
        rows?: number;
        /** @description A ticket from POST /api/tickets (browsers). */
        ticket?: string;
      };
      header?: never;
      path: {
        name: string;
        host: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Switched to the WebSocket protocol. */
      101: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A plain request, not a WebSocket upgrade. */
      426: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  resetHost: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        host: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description What a host action did. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HostAction'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  resetRange: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description What a range reset did. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RangeReset'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listSnapshots: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Snapshot'][];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createSnapshot: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
        };
      };
    };
    responses: {
      /** @description A snapshot of a range. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Snapshot'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  restoreSnapshot: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        snapshot: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A snapshot of a range. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Snapshot'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  removeSnapshot: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        snapshot: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  captureNetwork: {
    parameters: {
      query?: {
        host?: string;
        filter?: string;
        seconds?: number;
        /** @description A ticket from POST /api/tickets, for a link that cannot carry the Authorization header. */
        ticket?: string;
      };
      header?: never;
      path: {
        name: string;
        network: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A pcap stream, until `seconds` pass or the client goes away. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/vnd.tcpdump.pcap': string;
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listPools: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Pool'][];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createPool: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          source?: string;
          blueprint_id?: number;
          size?: number;
          roster?: {
            name: string;
            email?: string;
          }[];
          student_reset?: boolean;
          /** @description start every copy from this snapshot of a range you manage (its blueprint is used) */
          from_snapshot?: {
            instance: string;
            name: string;
          };
        };
      };
    };
    responses: {
      /** @description A pool job was started. */
      202: {
        headers: {
          /** @description The job: /api/jobs/{id}. */
          location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PoolJobAccepted'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getPool: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A pool with the state of each copy. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PoolDetail'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  destroyPool: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A pool job was started. */
      202: {
        headers: {
          /** @description The job: /api/jobs/{id}. */
          location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PoolJobAccepted'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  resizePool: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          size: number;
        };
      };
    };
    responses: {
      /** @description A pool job was started. */
      202: {
        headers: {
          /** @description The job: /api/jobs/{id}. */
          location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PoolJobAccepted'];
        };
      };
      /** @description The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted). */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found, or not visible to the caller. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The body is over 1 MiB (`CYR_TOO_LARGE`). */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`). */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Invalid input (`CYR_INVALID`): `problems` names each field. */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`). */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`). */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
}
