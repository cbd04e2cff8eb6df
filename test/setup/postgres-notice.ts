/** Says once, at the start of a run, whether the PostgreSQL half of the suites runs. */
export default function postgresNotice(): void {
  const url = process.env.SLUICE_TEST_POSTGRES
  if (url) {
    process.stdout.write(
      `\nStore suites run against SQLite and PostgreSQL (${url.replace(/\/\/[^@]*@/, '//…@')}).\n`,
    )
  } else {
    process.stdout.write(
      '\nPostgreSQL half SKIPPED: store suites run against SQLite only. To run both:\n' +
        '  eval "$(.ci/postgres.sh start | tail -n 1)" && npm test && .ci/postgres.sh stop\n\n',
    )
  }
}
