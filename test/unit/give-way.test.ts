import { RequestsInFlight } from '../../server/jobs/give-way';

const settled = async (p: Promise<void>, ms = 0) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, ms));
  return done;
};

describe('jobs giving way to web requests', () => {
  test('with no request for a while a job goes at once', async () => {
    expect(await settled(new RequestsInFlight().quiet(10_000))).toBe(true);
  });

  test('a job waits while requests come one after another, and goes once they pause', async () => {
    // A pause of 300 ms here, so that a loaded machine's stalls between two lines are not taken for one.
    const inFlight = new RequestsInFlight(300);
    inFlight.started();
    const waiting = inFlight.quiet(10_000);
    for (let i = 0; i < 5; i++) {
      expect(await settled(waiting, 5)).toBe(false);
      inFlight.ended();
      expect(await settled(waiting, 2)).toBe(false);
      inFlight.started();
    }
    inFlight.ended();
    expect(await settled(waiting, 400)).toBe(true);
  });

  test('while requests never pause, one waiting job goes each time the longest wait has passed', async () => {
    const inFlight = new RequestsInFlight(300);
    inFlight.started();
    const started = Date.now();
    const first = inFlight.quiet(150);
    const second = inFlight.quiet(150);
    await first;
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // Only lower bounds: a loaded machine may wake late, never early. The second waits a turn of its own.
    await second;
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    inFlight.ended();
    // A request that ends twice (a close after an error) never makes the count negative.
    inFlight.ended();
    inFlight.started();
    expect(await settled(inFlight.quiet(10_000), 100)).toBe(false);
    inFlight.ended();
  });
});
