// An injectable clock for tests: starts at a fixed instant, moves only when told.
export interface TestClock {
  (): Date;
  set(iso: string | Date): void;
  advance(ms: number): void;
  now(): number;
}

export function testClock(start: string | Date): TestClock {
  let t = new Date(start).getTime();
  const clock = (() => new Date(t)) as TestClock;
  clock.set = (iso) => {
    t = new Date(iso).getTime();
  };
  clock.advance = (ms) => {
    t += ms;
  };
  clock.now = () => t;
  return clock;
}
