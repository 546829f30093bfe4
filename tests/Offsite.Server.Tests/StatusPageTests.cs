using System.Net;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Offsite.Server.Abstractions;
using Offsite.Server.Tests.Doubles;
using Xunit.Abstractions;
using static Offsite.Server.Tests.Doubles.Jobs;

namespace Offsite.Server.Tests;

/// <summary>The status page in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by Selenium.</summary>
public sealed class StatusPageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sign_in_see_jobs_press_run_now_and_read_the_run_log_in_chromium()
    {
        var queries = new FakeQueries();
        queries.Snapshots.Add(new SnapshotSummary("5e1f00aa77", "main", "db", DateTimeOffset.UtcNow.AddHours(-3), "web1", "pg:db:5432/app", ["nightly"], 734_003_200));
        var executor = new WorkingExecutor { WorkTime = TimeSpan.FromMilliseconds(200) };
        await using var s = await TestServer.StartAsync(new FakeCatalog(Job("db", "0 0 3 * * *", zone: "Europe/Berlin"), Job("etc", "@hourly", repository: "nas")), executor, queries);

        using ChromeDriver driver = StartChromium();
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(15));
        driver.Navigate().GoToUrl(s.Server.BaseAddress);
        Assert.Empty(driver.FindElements(By.Id("jobs"))); // nothing without the token
        driver.FindElement(By.Id("token")).SendKeys("wrong");
        driver.FindElement(By.Id("signin-button")).Click();
        Assert.Contains("That is not the token", driver.PageSource, StringComparison.Ordinal);

        driver.FindElement(By.Id("token")).SendKeys(s.Token);
        driver.FindElement(By.Id("signin-button")).Click();
        IWebElement jobs = wait.Until(d => d.FindElement(By.Id("jobs")));
        Assert.Contains("Europe/Berlin", jobs.Text, StringComparison.Ordinal);
        Assert.Contains("idle", driver.FindElement(By.CssSelector("tr[data-job='db'] td.state")).Text, StringComparison.Ordinal);
        Assert.Contains("5e1f00aa", driver.FindElement(By.Id("snapshots")).Text, StringComparison.Ordinal);
        Assert.Contains("700.0 MiB", driver.FindElement(By.Id("snapshots")).Text, StringComparison.Ordinal);

        driver.FindElement(By.CssSelector("tr[data-job='db'] button")).Click();
        string notice = wait.Until(d => d.FindElement(By.Id("notice"))).Text;
        Assert.Matches("^started run [0-9a-f]{12} of job db$", notice);
        await Eventually(() => executor.Snapshots.Count == 1 && !s.Server.Runner.IsRunning("db"), "run finished");

        driver.Navigate().GoToUrl(s.Server.BaseAddress);
        IWebElement run = wait.Until(d => d.FindElement(By.CssSelector("details.run")));
        Assert.Contains("succeeded", run.Text, StringComparison.Ordinal);
        run.FindElement(By.TagName("summary")).Click();
        Assert.Contains("packs and index written", run.FindElement(By.TagName("pre")).Text, StringComparison.Ordinal);
        Assert.Contains("succeeded", driver.FindElement(By.CssSelector("tr[data-job='db']")).Text, StringComparison.Ordinal);

        string dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        string png = Path.Combine(dir, "status-page.png");
        driver.GetScreenshot().SaveAsFile(png);
        output.WriteLine("screenshot: " + png);
        byte[] bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 10_000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Fact]
    public async Task The_session_cookie_works_only_for_the_page_and_never_for_a_cross_site_post()
    {
        await using var s = await TestServer.StartAsync(new FakeCatalog(Job("db")));
        using var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = s.Server.BaseAddress };
        using HttpResponseMessage login = await client.PostAsync("login", new FormUrlEncodedContent([new("token", s.Token)]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        string cookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(s.Token, cookie, StringComparison.Ordinal);
        string session = cookie.Split(';')[0];

        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Add("Cookie", session);
        using HttpResponseMessage pageResponse = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, pageResponse.StatusCode);
        Assert.Contains("default-src 'none'", pageResponse.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        using var api = new HttpRequestMessage(HttpMethod.Get, "api/jobs");
        api.Headers.Add("Cookie", session);
        using HttpResponseMessage apiResponse = await client.SendAsync(api);
        Assert.Equal(HttpStatusCode.Unauthorized, apiResponse.StatusCode); // the API wants the bearer token

        using var forged = new HttpRequestMessage(HttpMethod.Post, "ui/jobs/db/run");
        forged.Headers.Add("Cookie", session);
        forged.Headers.Add("Origin", "https://evil.example");
        using HttpResponseMessage forgedResponse = await client.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, forgedResponse.StatusCode);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "ui/jobs/db/run");
        crossSite.Headers.Add("Cookie", session);
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using HttpResponseMessage crossSiteResponse = await client.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, crossSiteResponse.StatusCode);
        Assert.Equal(0, s.Executor.Runs);
    }

    private static ChromeDriver StartChromium()
    {
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900");
        ChromeDriverService service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
