import { RequestsInFlight } from '../../server/jobs/give-way';

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('jobs giving way to web requests', () => {
  test('with no request in flight a job goes at once', async () => {
    expect(await settled(new RequestsInFlight().quiet(10_000))).toBe(true);
  });

  test('a job waits for the moment no request is in flight, and each such moment lets one job go', async () => {
    const inFlight = new RequestsInFlight();
    inFlight.started();
    inFlight.started();
    const first = inFlight.quiet(10_000);
    const second = inFlight.quiet(10_000);
    inFlight.ended();
    expect(await settled(first)).toBe(false);
    inFlight.ended();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(false);
    inFlight.started();
    inFlight.ended();
    expect(await settled(second)).toBe(true);
  });

  test('a steady stream of requests only delays a job, by the longest wait at most', async () => {
    const inFlight = new RequestsInFlight();
    inFlight.started();
    const started = Date.now();
    await inFlight.quiet(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    inFlight.ended();
    inFlight.ended();
    // A request that ends twice (close after an error) never makes the count negative.
    inFlight.started();
    expect(await settled(inFlight.quiet(10_000))).toBe(false);
    inFlight.ended();
  });
});
