using Offsite.Posix.Native;

namespace Offsite.Posix;

/// <summary>
/// The CPU time the calling thread (or the process) has used (user + system), for attributing a command's CPU to its
/// stages. A real system call (~0.3 µs, not served by the vDSO), so it is read only when asked for.
/// </summary>
public static unsafe class ThreadClock
{
    private const int ClockProcessCpuTimeId = 2; // CLOCK_PROCESS_CPUTIME_ID
    private const int ClockThreadCpuTimeId = 3;  // CLOCK_THREAD_CPUTIME_ID

    /// <summary>Nanoseconds of CPU the calling thread has used since it started.</summary>
    public static long CpuNanoseconds() => Read(ClockThreadCpuTimeId, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");

    /// <summary>Nanoseconds of CPU all threads of the process have used.</summary>
    public static long ProcessCpuNanoseconds() => Read(ClockProcessCpuTimeId, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");

    private static long Read(int clock, string call)
    {
        Timespec now;
        if (LibC.clock_gettime(clock, &now) != 0)
        {
            throw new PosixException(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), call);
        }
        return now.ToUnixNanoseconds();
    }
}
