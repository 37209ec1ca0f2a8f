/* The pages whose forms work without a connection, and the shell the service worker shows in
   their place when the network is gone. Shared by the page script and the service worker; the
   Python tests check these addresses against the URL configuration. */
self.EMPLUS_OFFLINE = {
  outbox: "/selfservice/offline/",
  routes: [
    {
      kind: "assessment",
      shell: "/selfservice/offline/shell/assessment/",
      pattern: /^\/participants\/(?<participant>[0-9a-f-]{36})\/enrolments\/(?<enrolment>[0-9a-f-]{36})\/assessments\/new\/$/,
    },
    {
      kind: "event",
      shell: "/selfservice/offline/shell/event/",
      pattern: /^\/participants\/(?<participant>[0-9a-f-]{36})\/enrolments\/(?<enrolment>[0-9a-f-]{36})\/events\/new\/$/,
    },
    {
      kind: "time",
      shell: "/selfservice/offline/shell/time/",
      pattern: /^\/selfservice\/participants\/(?<participant>[0-9a-f-]{36})\/time\/(?<month>\d{4}-\d{2})\/$/,
    },
  ],
};
