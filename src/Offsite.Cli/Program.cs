Console.WriteLine("offsite");
