namespace Offsite.Server.Abstractions;

/// <summary>This host no longer holds the job's lease: another host took the job over after the lease expired. Write nothing.</summary>
public sealed class JobLeaseLostException : Exception
{
    public JobLeaseLostException(string message) : base(message) { }
    public JobLeaseLostException(string message, Exception inner) : base(message, inner) { }
    public JobLeaseLostException() { }
}

/// <summary>Another host (or process) holds the job's lease and it has not expired: the job is running there.</summary>
public sealed class JobLeaseHeldException : Exception
{
    public JobLeaseHeldException(string message) : base(message) { }
    public JobLeaseHeldException(string message, Exception inner) : base(message, inner) { }
    public JobLeaseHeldException() { }
}
