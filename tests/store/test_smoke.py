from store.actor import Actor
from store.db import Store
from store.services import customers, dashboard, kpi


async def test_a_customer_can_be_created_and_found(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await customers.create_customer(s, alice, "Acme AS", org_number="923 609 016")
    assert c.customer_number == 10001
    async with store.reading() as s:
        hits = await customers.find_customers(s, alice, "acme")
        assert [h.customer.id for h in hits] == [c.id]
        summary = await kpi.kpi_summary(s, alice)
        assert summary.active_customers == 0
        d = await dashboard.dashboard(s, alice)
        assert d.latest_customers[0].id == c.id
